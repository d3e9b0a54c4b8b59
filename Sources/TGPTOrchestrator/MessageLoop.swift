package import TGPTEvents
import TGPTProviders
package import TGPTSession

/// Turns read from NDJSON lines, `{"message":…}` with optional `session_id`, `id`, `model` and
/// `system`: `tgpt-session --messages` takes them one at a time; `tgpt-session serve` runs
/// different sessions at once and each session's in order. Every event is tagged with the
/// turn's `id` and `session_id`; a bad line gets one `bad_input` error and the loop goes on;
/// `{"cancel":"<id>"}` stops that turn (it ends `interrupted`); `{"history":true}` is answered
/// with the session's messages, `{"delete":true}` by deleting the session, `{"sessions":true}`
/// with the principal's sessions; at the end of input the turns in flight finish.
package struct MessageLoop: Sendable {
  /// How turns are ordered.
  package enum Order: Sendable {
    /// One turn at a time, in input order.
    case sequential
    /// Turns of one session in input order; sessions at once.
    case perSession
  }

  package var runner: TurnRunner
  package var order: Order
  /// The session of lines that name none.
  package var defaultSession: String
  /// Settings from the command line; a line's own `model` and `system` win over them.
  package var settings: SessionSettings
  package var includeFailed: Bool
  /// Makes a request id for lines without one.
  package var makeRequestID: @Sendable () -> String

  package init(
    runner: TurnRunner, order: Order, defaultSession: String, settings: SessionSettings, includeFailed: Bool,
    makeRequestID: @escaping @Sendable () -> String
  ) {
    self.runner = runner
    self.order = order
    self.defaultSession = defaultSession
    self.settings = settings
    self.includeFailed = includeFailed
    self.makeRequestID = makeRequestID
  }

  /// How the loop went.
  package struct Summary: Sendable {
    /// The kind of the first turn or line that failed, if any did.
    package var firstFailure: ErrorKind?
    /// Whether the reader of the events went away (the loop then stopped).
    package var outputClosed = false
    /// Why writing the events failed, if it did (the loop then stopped).
    package var outputFailure: String?
  }

  /// Runs turns for the lines of `feed` until its end (or until cancelled: turns in flight
  /// then end with an `interrupted` error and no further lines are read).
  package func run(
    _ feed: LineFeed, interruption: @escaping @Sendable () -> String,
    emit: @escaping @Sendable (Event) throws -> Void
  ) async -> Summary {
    let summary = Tally()
    let flights = InFlightTurns()
    // Once the output is gone nothing more can be answered: stop reading at once, even if
    // stdin stays open and silent.
    let reader = WorkSlot()
    let stopIfOutputGone: @Sendable () -> Void = {
      if summary.stopped {
        flights.cancelAll()
        reader.cancel()
      }
    }
    let reading: @Sendable () async -> Void = {
      for await input in feed.lines {
        // `.failed` ends the input; it took no permit from the feed.
        let release: @Sendable () -> Void = {
          if case .failed = input { return }
          feed.release()
        }
        switch work(for: input) {
        case .turn(let turn, let principal):
          let label = InFlightTurns.Label(
            requestID: turn.requestID ?? "", sessionID: turn.sessionID, principal: principal)
          let runner = runner(for: principal)
          flights.start(key: key(principal, turn.sessionID), label: label) { cancelReason in
            summary.note(await runner.run(turn, interruption: { cancelReason() ?? interruption() }, emit: emit))
            stopIfOutputGone()
            release()
          }
        case .cancel(let request):
          let reason = request.reason ?? "cancelled by the client"
          flights.cancel(
            requestID: request.id, sessionID: request.sessionID, principal: request.principal ?? defaultPrincipal,
            reason: reason)
          release()
        case .history(let request):
          let sessionID = request.sessionID ?? defaultSession
          let id = request.id ?? makeRequestID()
          let principal = request.principal ?? defaultPrincipal
          flights.start(key: key(principal, sessionID)) {
            summary.note(await history(of: sessionID, id: id, store: runner(for: principal).store, emit: emit))
            stopIfOutputGone()
            release()
          }
        case .delete(let request):
          let sessionID = request.sessionID ?? defaultSession
          let id = request.id ?? makeRequestID()
          let principal = request.principal ?? defaultPrincipal
          flights.start(key: key(principal, sessionID)) {
            summary.note(await delete(sessionID, id: id, runner: runner(for: principal), emit: emit))
            stopIfOutputGone()
            release()
          }
        case .sessions(let request):
          let id = request.id ?? makeRequestID()
          let principal = request.principal ?? defaultPrincipal
          // No session's order to keep: a key of its own per principal (session ids are never
          // empty), so the list waits for no turn.
          flights.start(key: key(principal, "")) {
            summary.note(await sessions(id: id, store: runner(for: principal).store, emit: emit))
            stopIfOutputGone()
            release()
          }
        case .rejected(let event, let failure, let session, let principal):
          // A line of a known session is answered in that session's order, after the turns
          // before it; one without (not even JSON) is answered at once.
          let answer: @Sendable () -> Void = {
            summary.note(Self.deliver(event, failure, emit))
            stopIfOutputGone()
            release()
          }
          if let session {
            flights.start(key: key(principal, session)) { answer() }
          } else {
            answer()
          }
        }
      }
    }
    await withTaskCancellationHandler {
      await reader.run(reading)
      await flights.waitAll()
    } onCancel: {
      reader.cancel()
      flights.cancelAll()
    }
    return summary.value
  }

  /// The principal of lines that name none: the store's.
  var defaultPrincipal: String { runner.store.principal }

  /// The runner for a principal's turns: this loop's, seen by that principal.
  private func runner(for principal: String) -> TurnRunner {
    principal == defaultPrincipal ? runner : runner.scoped(to: principal)
  }

  /// The key that orders a session's work: one for everything when sequential; else one per
  /// session of each principal (`:` cannot be in a principal, so the key is unambiguous).
  private func key(_ principal: String, _ sessionID: String) -> String {
    order == .sequential ? "" : principal + ":" + sessionID
  }

  /// What to do with one line.
  private enum Work {
    case turn(TurnRequest, principal: String)
    case cancel(CancelRequest)
    case history(HistoryRequest)
    case delete(DeleteRequest)
    case sessions(SessionsRequest)
    /// An unusable line: the error to answer it with, and its session when the line names one
    /// (or is an object that falls to the default session), with the principal it names.
    case rejected(Event, Event.Failure, session: String?, principal: String)
  }

  /// The turn a line asks for, or why it is unusable.
  private func work(for input: InputLine) -> Work {
    let problem: String
    var object: JSON?
    switch input {
    case .failed(let error):
      problem = "cannot read the input: \(error.description)"
    case .overlong(let number):
      problem = "line \(number) is longer than \(NDJSONSplitter.defaultMaxLineBytes) bytes"
    case .line(let bytes, let number):
      do throws(ProtocolError) {
        let json = try JSON.parse(bytes)
        object = json
        let message: InputMessage
        switch try ClientInput(json: json) {
        case .message(let read): message = read
        case .cancel(let request): return .cancel(request)
        case .history(let request): return .history(request)
        case .delete(let request): return .delete(request)
        case .sessions(let request): return .sessions(request)
        }
        let sessionID = message.sessionID ?? defaultSession
        let settings = SessionSettings(
          model: message.model ?? self.settings.model, provider: self.settings.provider,
          system: message.system ?? self.settings.system, baseURL: self.settings.baseURL)
        return .turn(
          TurnRequest(
            sessionID: sessionID, requestID: message.id ?? makeRequestID(), message: message.message,
            settings: settings, includeFailed: includeFailed, retry: message.retry, attachments: message.attachments),
          principal: message.principal ?? defaultPrincipal)
      } catch {
        problem = "line \(number): \(error.description)"
      }
    }
    // The error carries the line's tags when it has readable ones, so the sender can match it.
    let failure = Event.Failure(message: problem, code: .badInput)
    let session: String? =
      switch object?.objectValue?["session_id"] {
      case .none: object?.objectValue != nil ? defaultSession : nil
      case .some(let value): value.stringValue
      }
    let event = Event(.error(failure), id: object?["id"]?.stringValue, sessionID: session)
    let principal = object?["principal"]?.stringValue.flatMap { PrincipalRule.isValid($0) ? $0 : nil }
    return .rejected(event, failure, session: session, principal: principal ?? defaultPrincipal)
  }

  private static func deliver(
    _ event: Event, _ failure: Event.Failure, _ emit: @Sendable (Event) throws -> Void
  ) -> RunOutcome {
    write([event], .failed(failure), emit)
  }
}

/// The summary of a loop, noted from many tasks.
private final class Tally: Sendable {
  private let state = Guarded(MessageLoop.Summary())

  var value: MessageLoop.Summary { state.withLock { $0 } }

  /// Whether the output is gone, so no more turns should start.
  var stopped: Bool { state.withLock { $0.outputClosed || $0.outputFailure != nil } }

  func note(_ outcome: RunOutcome) {
    state.withLock { summary in
      switch outcome {
      case .completed: break
      case .failed(let failure): summary.firstFailure = summary.firstFailure ?? failure.code
      case .outputClosed: summary.outputClosed = true
      case .outputFailed(let why): summary.outputFailure = summary.outputFailure ?? why
      }
    }
  }
}

import TGPTBridge
import TGPTEvents

/// The answers the client is owed: messages sent and not yet ended by a terminal event, when
/// the last frame arrived, and the first error code seen (it decides the exit status).
final class AnswerLedger: Sendable {
  private struct State {
    var owed: Set<String> = []
    var started: Set<String> = []
    var untracked = 0
    /// The last frame, or when an answer became owed after none was.
    var lastFrame = ContinuousClock.now
    var firstError: ErrorKind?
    /// The server's words when it refused the client (an `auth` error event).
    var refusal: String?
    var answered = 0
    var gaveUpWaiting = false
  }

  private let state = Guarded(State())

  func sent(_ line: OutgoingLine) {
    guard line.owesAnswer else { return }
    state.withLock { state in
      // The silence that counts is silence while something is owed.
      if state.owed.isEmpty, state.untracked == 0 { state.lastFrame = .now }
      if let id = line.id { state.owed.insert(id) } else { state.untracked += 1 }
    }
  }

  /// A new connection is open: the silence of the old one, and of the wait between, does not
  /// count against the new one.
  func connected() {
    state.withLock { $0.lastFrame = .now }
  }

  /// Records one frame from the server; false when it ends an answer that was not owed (one
  /// for an id never sent, or sent twice), which leaves the answers owed as they were.
  @discardableResult
  func received(_ tags: EventTags?) -> Bool {
    state.withLock { state in
      state.lastFrame = .now
      if let id = tags?.id, state.owed.contains(id) { state.started.insert(id) }
      guard let tags, tags.isTerminal else { return true }
      state.answered += 1
      var matched = true
      if let id = tags.id, state.owed.remove(id) != nil {
        state.started.remove(id)
      } else if state.untracked > 0 {
        state.untracked -= 1
      } else if let any = state.owed.first, tags.id == nil {
        state.owed.remove(any)
      } else {
        matched = false
      }
      if tags.type == "error", state.firstError == nil {
        state.firstError = tags.code.flatMap(ErrorKind.init(rawValue:)) ?? .internal
      }
      return matched
    }
  }

  /// Gives up on every answer owed because of `failure`: one `error` event each (partial when
  /// it had started), to write on stdout so that each message still ends in exactly one
  /// terminal event, in the order sent for generated ids (m2 before m10). Nothing is owed
  /// after.
  func abandon(_ failure: ClientFailure) -> [Event] {
    state.withLock { state in
      let make = { (id: String?, partial: Bool) in
        Event(.error(Event.Failure(message: failure.message, code: failure.kind, partial: partial)), id: id)
      }
      let events =
        state.owed.sorted { ($0.count, $0) < ($1.count, $1) }.map { make($0, state.started.contains($0)) }
        + Array(repeating: make(nil, false), count: state.untracked)
      state.owed = []
      state.started = []
      state.untracked = 0
      if !events.isEmpty, state.firstError == nil { state.firstError = failure.kind }
      return events
    }
  }

  /// After a lost connection: the ids never answered at all (to send again), and those cut
  /// off mid-answer (failed: sending them again would repeat the turn).
  func afterDisconnect() -> (resend: Set<String>, cutOff: [String]) {
    state.withLock { state in
      let cutOff = state.owed.intersection(state.started)
      state.owed.subtract(cutOff)
      state.started = []
      state.untracked = 0
      if !cutOff.isEmpty, state.firstError == nil { state.firstError = .unavailable }
      return (state.owed, Array(cutOff))
    }
  }

  /// Whether the client stopped waiting for owed answers after `--linger` of silence.
  var gaveUpWaiting: Bool {
    get { state.withLock { $0.gaveUpWaiting } }
    set { state.withLock { $0.gaveUpWaiting = newValue } }
  }

  /// Notes the server's words on refusing the client (an `auth` error event's message).
  func noteRefusal(_ message: String) {
    state.withLock { state in state.refusal = state.refusal ?? message }
  }

  /// The first failed answer as a failure: its kind, and the server's words when it refused
  /// the client.
  var firstFailure: ClientFailure? {
    state.withLock { state in
      state.firstError.map {
        ClientFailure($0, state.refusal ?? "an answer ended with an error event (\($0.rawValue))")
      }
    }
  }

  var owed: Int { state.withLock { $0.owed.count + $0.untracked } }
  var silence: Duration { .now - state.withLock { $0.lastFrame } }
  var firstError: ErrorKind? { state.withLock { $0.firstError } }
}

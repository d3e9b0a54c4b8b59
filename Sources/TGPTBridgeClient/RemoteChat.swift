package import Logging
import NIOWebSocket
package import TGPTEvents
import WSClient

/// The interactive chat's link to a `tgpt-ws-bridge serve` server (`tgpt-session chat
/// --api-url`).
///
/// Each message goes on a connection of its own, opened when it is sent and closed once its
/// answer has ended, so nothing times out while the user thinks. A connection that cannot be
/// made, or is lost before the answer starts, is tried again with backoff and the message sent
/// again; one lost during the answer ends it with a partial `error` (it is not repeated).
package struct RemoteChat: Sendable {
  package let address: ChatAddress
  let settings: ClientSettings
  let logger: Logger
  /// Tries after the first for a message whose answer has not started.
  package var retries = 5
  /// The first wait before trying again; each later one is twice as long.
  package var firstDelay: Duration = .milliseconds(500)
  /// How long to wait for the server's `interrupted` after sending a cancel.
  package var stopTimeout: Duration = .seconds(5)
  /// The reason a cancel gives, which the server stores with the interrupted answer.
  package var stopReason = "interrupted by Ctrl-C"

  /// `settings.url` is ignored: each session's URL comes from `address`.
  package init(address: ChatAddress, settings: ClientSettings, logger: Logger) {
    self.address = address
    self.settings = settings
    self.logger = logger
  }

  /// Asks the server for `session`'s history, so that an absent server or a refused token
  /// shows at start, with why. A server busy in that session (the history waits for its turns,
  /// past the 5 s this waits or past the idle timeout) or one without history requests counts
  /// as reachable; a connect timeout does not.
  package func check(session: String) async throws(ClientFailure) {
    do {
      _ = try await history(session: session) { try? await Task.sleep(for: .seconds(5)) }
    } catch {
      if [.badInput, .interrupted].contains(error.kind) { return }
      // Found on an open connection, with the request sent: the idle timeout.
      if error.kind == .timeout, error.closeCode != nil { return }
      throw error
    }
  }

  /// Sends `message` (which should carry an id) and shows its events as they arrive, through
  /// its terminal event. When `stopped` returns (the user pressed Ctrl-C) the server is sent a
  /// cancel, and its `interrupted` error ends the answer. `notice` tells of a connection lost
  /// and the next try. Every message ends in exactly one terminal event shown, made here when
  /// the server could not send one.
  package func send(
    _ message: InputMessage, session: String, stopped: @escaping @Sendable () async -> Void,
    notice: @Sendable (String) -> Void, show: @escaping @Sendable (Event) -> Void
  ) async {
    var tries = 0
    while true {
      let progress = TurnProgress()
      var failure = ClientFailure(.unavailable, "the server closed the connection before the answer ended")
      do {
        try await exchange(
          (message.json, message.id), session: session, progress: progress, onStop: (stopped, .cancel), show: show)
      } catch {
        failure = await classify(error, session: session)
      }
      if progress.ended { return }
      let fail: (String, ErrorKind, Bool) -> Void = { text, code, partial in
        show(
          Event(.error(Event.Failure(message: text, code: code, partial: partial)), id: message.id, sessionID: session))
      }
      if progress.stopped {
        return fail("\(stopReason) (the server did not confirm it stopped)", .interrupted, progress.started)
      }
      if failure.kind == .interrupted {
        return fail("\(stopReason) while connecting; nothing was sent", .interrupted, false)
      }
      // Gone quiet or unreadable: the answer may still be running there, so it is not sent again.
      if !failure.canReconnect { return fail(failure.message, failure.kind, progress.started) }
      if progress.started {
        return fail("the connection was lost during the answer: \(failure.message)", .unavailable, true)
      }
      guard tries < retries, failure.kind != .usage, failure.kind != .auth else {
        return fail(failure.message, failure.kind, false)
      }
      tries += 1
      let delay = firstDelay * (1 << min(tries - 1, 6))
      notice("\(failure.message); trying again in \(delay) (\(tries) of \(retries)), Ctrl-C gives up")
      if await Self.sleep(delay, unless: stopped) {
        return fail("\(stopReason) before the server answered", .interrupted, false)
      }
    }
  }

  /// The session's `history` event (see `HistoryRequest`); `stopped` returning gives up
  /// waiting for it (the history comes after the turns in progress in the session).
  package func history(
    session: String, stopped: @escaping @Sendable () async -> Void
  ) async throws(ClientFailure) -> Event {
    let events = Guarded<[Event]>([])
    do {
      try await exchange(
        (HistoryRequest(id: "history").json, "history"), session: session, progress: TurnProgress(),
        onStop: (stopped, .giveUp)
      ) { event in events.withLock { $0.append(event) } }
    } catch {
      throw await classify(error, session: session)
    }
    let received = events.withLock { $0 }
    if let found = received.first(where: { $0.type == "history" }) { return found }
    if case .error(let failure)? = received.last?.payload {
      // A refused token is said as the server says it: it is the whole story.
      throw ClientFailure(
        failure.code,
        failure.code == .auth ? failure.message : "the server did not send the history: \(failure.message)")
    }
    throw ClientFailure(.unavailable, "the server closed the connection without sending the history")
  }

  /// What a stop does to a request sent: ask the server to cancel it, or stop waiting.
  private enum StopAction { case cancel, giveUp }

  /// One connection: sends `request` and shows the events of its id through the terminal one.
  /// When `onStop`'s function returns before the connection is made, the attempt is abandoned
  /// (nothing is sent); after, the request is cancelled or given up on.
  private func exchange(
    _ request: (json: JSON, id: String?), session: String, progress: TurnProgress,
    onStop: (stopped: @Sendable () async -> Void, action: StopAction), show: @escaping @Sendable (Event) -> Void
  ) async throws {
    var settings = settings
    settings.url = address.url(session: session)
    let dropped = DroppedFrames()
    var configuration = settings.webSocketConfiguration(dropped: dropped)
    // Our close follows the answer's end; a server slow to answer it must not hold the prompt.
    configuration.closeTimeout = .seconds(2)
    let fixed = configuration
    let tls = try settings.tlsConfiguration()
    let attempt = ConnectAttempt()
    let (url, maxBytes, idle, logger) = (settings.url, settings.maxMessageBytes, settings.idleTimeout, logger)
    let (stopTimeout, stopReason) = (stopTimeout, stopReason)
    let (stopped, action) = onStop
    _ = try await withConnectTimeout(
      settings.connectTimeout, url: address.displayed, attempt: attempt, stopped: stopped
    ) {
      try await WebSocketClient.connect(url: url, configuration: fixed, tlsConfiguration: tls, logger: logger) {
        inbound, outbound, _ in
        guard attempt.connect() else { return }
        try await outbound.write(.text(Self.text(request.json)))
        progress.heard()
        do {
          try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
              try await Self.read(
                inbound, id: request.id, progress: progress, dropped: dropped, limit: maxBytes, logger: logger,
                show: show)
            }
            // A server that goes quiet before the answer's end must not hold the chat.
            group.addTask {
              while true {
                if let failure = dropped.failure { throw failure }
                if let idle, progress.silence >= idle { throw ClientFailure.idle(idle, owed: 1) }
                try await Task.sleep(for: .milliseconds(100))
              }
            }
            group.addTask {
              await stopped()
              guard !Task.isCancelled else { return }
              progress.note(stopped: true)
              guard action == .cancel, let id = request.id else {
                throw ClientFailure(.interrupted, "stopped waiting for the server")
              }
              try await outbound.write(.text(Self.text(CancelRequest(id: id, reason: stopReason).json)))
              // The server's `interrupted` ends the reader, and with it this wait.
              try await Task.sleep(for: stopTimeout)
              throw ClientFailure(.interrupted, "the server did not confirm the stop")
            }
            try await group.next()
            group.cancelAll()
          }
        } catch let failure as ClientFailure {
          if let code = failure.closeCode { try? await outbound.close(code, reason: nil) }
          throw failure
        }
      }
    }
  }

  /// Shows the events of request `id` until its terminal one. A frame that is not an event
  /// fails the exchange; an event of another request is left out with a warning.
  private static func read(
    _ inbound: WebSocketInboundStream, id: String?, progress: TurnProgress, dropped: DroppedFrames, limit: Int,
    logger: Logger, show: @Sendable (Event) -> Void
  ) async throws {
    do {
      for try await frame in inbound.messages(maxSize: limit) {
        if let failure = dropped.failure { throw failure }
        progress.heard()
        let line = try InboundFrame.line(frame)
        guard let event = try? Event.decode(String(decoding: line, as: UTF8.self)) else {
          throw ClientFailure.badFrame(
            "the server sent a frame that is not an event: \(InboundFrame.excerpt(String(decoding: line, as: UTF8.self)))",
            close: .unacceptableData)
        }
        guard event.id == nil || event.id == id else {
          logger.warning(
            "left out an event of another request (id \(InboundFrame.excerpt(event.id ?? ""))) from the server")
          continue
        }
        progress.note(started: true)
        show(event)
        if event.isTerminal {
          progress.note(ended: true)
          return
        }
      }
    } catch let error where !(error is ClientFailure) {
      throw InboundFrame.failure(error, limit: limit) ?? error
    }
    if let failure = dropped.failure { throw failure }
  }

  private func classify(_ error: any Error, session: String) async -> ClientFailure {
    // Named without the query, which may hold a token.
    await ClientFailure.classify(error, url: address.prefix + session, headers: settings.probeHeaders)
  }

  private static func text(_ json: JSON) -> String {
    var writer = JSONWriter()
    writer.value(json)
    return String(decoding: writer.bytes, as: UTF8.self)
  }

  /// Waits `delay`; true when `stopped` returned first.
  private static func sleep(_ delay: Duration, unless stopped: @escaping @Sendable () async -> Void) async -> Bool {
    await Race.run({ (try? await Task.sleep(for: delay)) == nil }, cancelledWhen: stopped)
  }
}

/// How far one message's answer got on one connection, and when the server was last heard.
final class TurnProgress: Sendable {
  private let state = Guarded((started: false, ended: false, stopped: false))
  private let lastHeard = Guarded(ContinuousClock.now)

  var started: Bool { state.withLock { $0.started } }
  var ended: Bool { state.withLock { $0.ended } }
  var stopped: Bool { state.withLock { $0.stopped } }
  /// How long since the request was sent or the last frame came.
  var silence: Duration { .now - lastHeard.withLock { $0 } }

  func heard() { lastHeard.withLock { $0 = .now } }

  func note(started: Bool = false, ended: Bool = false, stopped: Bool = false) {
    state.withLock { state in
      state.started = state.started || started
      state.ended = state.ended || ended
      state.stopped = state.stopped || stopped
    }
  }
}

package import Logging
import NIOCore
import NIOWebSocket
import TGPTBridge
import TGPTEvents
import WSClient
import WSCompression

/// One scripted WebSocket conversation, as the seed's test client has it: send a message,
/// read until its `complete` or `error`, send the next. Used by `check` and `bench`.
package enum ChatProbe {
  /// What happened to one message.
  package struct Turn: Sendable {
    /// The events received (kept only with `keepEvents`; `eventCount` always counts them).
    package var events: [String] = []
    package var eventCount = 0
    package var chunks = 0
    package var content = ""
    package var terminalType: String?
    package var errorCode: String?
    /// From sending to the first chunk, and to the terminal event.
    package var firstChunk: Duration?
    package var total: Duration?
  }

  /// The whole conversation.
  package struct Outcome: Sendable {
    package var upgraded = false
    package var turns: [Turn] = []
    /// The server's close code, if it closed (or nil for no close frame).
    package var closeCode: UInt16?
    package var failure: String?
    /// Whether the server answered the upgrade request with an HTTP refusal.
    package var refused = false
    /// With `deleteSession`: whether the server acknowledged deleting the session (`deleted`
    /// then `complete`); nil when not asked.
    package var deleted: Bool?
    /// When the last message's answer ended (before any deletion).
    package var answered: ContinuousClock.Instant?
    /// When the conversation ended, answered or not (before any deletion).
    package var ended: ContinuousClock.Instant?
    /// Whether a message was given to the upgraded connection to send.
    package var sentMessage = false
    /// Whether the server refused the token: an upgrade refused with HTTP 401 or 403, or an
    /// `error` event with code `auth` after which the connection ended (a provider's missing
    /// key is also code `auth`, but the connection goes on).
    package var authRefused = false
    /// Whether the last answer was an `error` with code `auth`, and nothing answered since.
    var endedOnAuthError = false
    /// Whether the conversation may have made its session: a message reached the server and
    /// was not refused. (A message sent without an answer counts: it may have started a turn.)
    package var madeSession: Bool { sentMessage && !authRefused }
    /// Whether every message got its terminal event.
    package var allAnswered: Bool { failure == nil && turns.allSatisfy { $0.terminalType != nil } }
  }

  /// Sends `messages` (frame texts) one after another on `url`, each after the previous
  /// one's terminal event; gives up after `timeout` overall, or when the task is cancelled.
  /// `keepEvents: false` (the load generator) keeps counts and timings only, so the client
  /// spends as little as it can of the machine it shares with the server.
  /// `deleteSession`: then deletes the session the messages made (`{"delete":true}`), on the
  /// same connection, or — after a failure, a timeout or a cancel — on a new one.
  package static func run(
    url: String, token: String?, messages: [String], timeout: Duration, keepEvents: Bool = true,
    deleteSession: Bool = false, logger: Logger
  ) async -> Outcome {
    guard !Task.isCancelled else { return Outcome(failure: "stopped") }
    let cleanUp = deleteSession && !messages.isEmpty
    var outcome = await converse(
      url: url, token: token, messages: messages, timeout: timeout, keepEvents: keepEvents, cleanUp: cleanUp,
      logger: logger)
    outcome.ended = .now
    if cleanUp, outcome.madeSession, outcome.deleted != true {
      // Not in this task, which may be cancelled: the deletion is what a cancel leaves to do.
      outcome.deleted = await Task { await delete(url: url, token: token, logger: logger) }.value
    }
    return outcome
  }

  private static func converse(
    url: String, token: String?, messages: [String], timeout: Duration, keepEvents: Bool, cleanUp: Bool,
    logger: Logger
  ) async -> Outcome {
    let state = Guarded(Outcome())
    let fixed = configuration(token: token)
    let work = Task {
      try await WebSocketClient.connect(url: url, configuration: fixed, logger: logger) { inbound, outbound, _ in
        state.withLock { $0.upgraded = true }
        var iterator = inbound.messages(maxSize: 16 << 20).makeAsyncIterator()
        for text in messages {
          let sent = ContinuousClock.now
          var turn = Turn()
          // Noted before the write, which may have sent the message when it throws.
          state.withLock { $0.sentMessage = true }
          try await outbound.write(.text(text))
          while turn.terminalType == nil, let message = try await iterator.next() {
            guard case .text(let line) = message else { continue }
            record(line, into: &turn, since: sent, keep: keepEvents)
          }
          let done = turn
          state.withLock {
            $0.turns.append(done)
            $0.answered = .now
            if done.terminalType != nil {
              $0.endedOnAuthError = done.terminalType == "error" && done.errorCode == ErrorKind.auth.rawValue
            }
          }
          if done.terminalType == nil { return }
        }
        if cleanUp {
          let deleted = try await requestDeletion(&iterator, outbound)
          state.withLock {
            $0.deleted = deleted
            if deleted { $0.endedOnAuthError = false }
          }
        }
        try await outbound.close(.normalClosure, reason: nil)
        while try await iterator.next() != nil {}
      }
    }
    let timer = Task {
      try await Task.sleep(for: timeout)
      work.cancel()
    }
    do {
      let close = try await withTaskCancellationHandler {
        try await work.value
      } onCancel: {
        work.cancel()
      }
      timer.cancel()
      return state.withLock { outcome in
        outcome.closeCode = close.map { UInt16(webSocketErrorCode: $0.closeCode) }
        // A refusal is closed with 1008; after a provider's auth error the client closes (1000).
        outcome.authRefused = outcome.endedOnAuthError && (outcome.closeCode ?? 1008) == 1008
        if close == nil, outcome.failure == nil, !outcome.allAnswered {
          outcome.failure = "closed without a close frame"
        }
        return outcome
      }
    } catch {
      timer.cancel()
      // The caller's cancel (a signal) stops it; the timer's alone is a timeout.
      let failure: ClientFailure? =
        Task.isCancelled || error is CancellationError ? nil : await ClientFailure.classify(error, url: url)
      let message = failure?.message ?? (Task.isCancelled ? "stopped" : "timed out")
      return state.withLock { outcome in
        outcome.failure = message
        outcome.authRefused = failure?.kind == .auth || (failure != nil && outcome.endedOnAuthError)
        outcome.refused = (error as? WebSocketClientError) == .webSocketUpgradeFailed
        return outcome
      }
    }
  }

  static func record(_ line: String, into turn: inout Turn, since sent: ContinuousClock.Instant, keep: Bool) {
    turn.eventCount += 1
    if keep { turn.events.append(line) }
    var line = line
    guard let tags = line.withUTF8({ EventTags.read(UnsafeRawBufferPointer($0)) }) else { return }
    if tags.type == "chunk" {
      turn.chunks += 1
      if turn.firstChunk == nil { turn.firstChunk = .now - sent }
      if keep, let event = try? Event.decode(line), case .chunk(let chunk) = event.payload {
        turn.content += chunk.content
      }
    }
    if tags.isTerminal {
      turn.terminalType = tags.type
      turn.errorCode = tags.code
      turn.total = .now - sent
    }
  }
}

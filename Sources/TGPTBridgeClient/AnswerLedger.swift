import Synchronization
import TGPTBridge
import TGPTEvents

/// The answers the client is owed: messages sent and not yet ended by a terminal event, when
/// the last frame arrived, and the first error code seen (it decides the exit status).
final class AnswerLedger: Sendable {
  private struct State {
    var owed: Set<String> = []
    var started: Set<String> = []
    var untracked = 0
    var lastFrame = ContinuousClock.now
    var firstError: ErrorKind?
    var answered = 0
    var gaveUpWaiting = false
  }

  private let state = Mutex(State())

  func sent(_ line: OutgoingLine) {
    guard line.owesAnswer else { return }
    state.withLock { state in
      if let id = line.id { state.owed.insert(id) } else { state.untracked += 1 }
    }
  }

  /// Records one frame from the server.
  func received(_ tags: EventTags?) {
    state.withLock { state in
      state.lastFrame = .now
      if let id = tags?.id, state.owed.contains(id) { state.started.insert(id) }
      guard let tags, tags.isTerminal else { return }
      state.answered += 1
      if let id = tags.id, state.owed.remove(id) != nil {
        state.started.remove(id)
      } else if state.untracked > 0 {
        state.untracked -= 1
      } else if let any = state.owed.first, tags.id == nil {
        state.owed.remove(any)
      }
      if tags.type == "error", state.firstError == nil {
        state.firstError = tags.code.flatMap(ErrorKind.init(rawValue:)) ?? .internal
      }
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

  var owed: Int { state.withLock { $0.owed.count + $0.untracked } }
  var silence: Duration { .now - state.withLock { $0.lastFrame } }
  var firstError: ErrorKind? { state.withLock { $0.firstError } }
}

import TGPTEvents
import TGPTSession

/// Writes a streaming answer's text into its record as it grows — `interval` after its first
/// chunk, then at most once per `interval` — with the status still `interrupted`. A process
/// killed mid-answer (`kill -9`, a crash, the machine going down) then leaves the text it had
/// sent, at most one interval behind what the client saw, instead of an empty answer; an
/// answer that ends within the interval costs no extra write.
final class AnswerCheckpoints: Sendable {
  private struct State {
    /// The write scheduled or running; the next one (and the final record) waits for it.
    var pending: Task<Void, Never>?
    var scheduled = false
    var lastWrite: ContinuousClock.Instant?
    var finished = false
  }

  private let store: any SessionStore
  private let record: TurnRecord
  private let answer: Answer
  private let interval: Duration
  private let state = Guarded(State())

  init(store: any SessionStore, record: TurnRecord, answer: Answer, interval: Duration = .seconds(1)) {
    self.store = store
    self.record = record
    self.answer = answer
    self.interval = interval
  }

  /// A chunk went out: schedules a write unless one is already due.
  func chunkSent() {
    state.withLock { state in
      guard !state.finished, !state.scheduled else { return }
      state.scheduled = true
      let due = (state.lastWrite ?? .now) + interval
      let previous = state.pending
      state.pending = Task { [self] in
        await previous?.value
        try? await Task.sleep(until: due)
        await write()
      }
    }
  }

  private func write() async {
    let go = state.withLock { state -> Bool in
      state.scheduled = false
      state.lastWrite = .now
      return !state.finished
    }
    guard go else { return }
    let snapshot = answer.snapshot()
    // A checkpoint that fails changes nothing: the final record is written (or logged) anyway.
    try? await store.finishTurn(
      record, content: snapshot.content, status: .interrupted, model: snapshot.model, usage: nil, toolCalls: nil,
      error: nil, now: WallClock.milliseconds())
  }

  /// No more checkpoints; returns once none is being written, so the final record comes last.
  func finish() async {
    let pending = state.withLock { state in
      state.finished = true
      return state.pending
    }
    pending?.cancel()
    await pending?.value
  }
}

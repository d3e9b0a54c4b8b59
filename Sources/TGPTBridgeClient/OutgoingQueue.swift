import TGPTEvents

/// The lines read from stdin, in order, and how far sending got. Kept after sending so that a
/// reconnect can send again what the server never started to answer.
final class OutgoingQueue: Sendable {
  private struct State {
    var lines: [OutgoingLine] = []
    var next = 0
    var finished = false
    var waiter: CheckedContinuation<OutgoingLine?, Never>?
  }

  private let state = Guarded(State())

  /// Whether stdin has ended and every line was handed out.
  var finished: Bool { state.withLock { $0.finished && $0.next == $0.lines.count } }

  /// Reads `input` to its end.
  func fill(from input: LineFeed, raw: Bool) async {
    var count = 0
    for await item in input.lines {
      guard case .line(let bytes, _) = item else {
        if case .overlong(let number) = item { input.release(); _ = number }
        continue
      }
      count += 1
      let line = OutgoingLine.make(bytes, number: count, raw: raw)
      input.release()
      let waiter = state.withLock { state -> CheckedContinuation<OutgoingLine?, Never>? in
        state.lines.append(line)
        guard let waiter = state.waiter else { return nil }
        state.waiter = nil
        state.next += 1
        return waiter
      }
      waiter?.resume(returning: line)
    }
    let waiter = state.withLock { state -> CheckedContinuation<OutgoingLine?, Never>? in
      state.finished = true
      defer { state.waiter = nil }
      return state.waiter
    }
    waiter?.resume(returning: nil)
  }

  /// The next line to send; nil once stdin has ended and all were sent, or when cancelled.
  func next() async -> OutgoingLine? {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<OutgoingLine?, Never>) in
        let ready: OutgoingLine?? = state.withLock { state in
          if state.next < state.lines.count {
            state.next += 1
            return .some(state.lines[state.next - 1])
          }
          if state.finished || Task.isCancelled { return .some(nil) }
          state.waiter = continuation
          return nil
        }
        if let ready { continuation.resume(returning: ready) }
      }
    } onCancel: {
      let waiter = state.withLock { state in
        defer { state.waiter = nil }
        return state.waiter
      }
      waiter?.resume(returning: nil)
    }
  }

  /// After a reconnect: send again the messages whose answers never started; those cut off
  /// mid-answer get an `error` event on stdout instead.
  func resendUnanswered(_ ledger: AnswerLedger) {
    let (unanswered, cutOff) = ledger.afterDisconnect()
    BridgeClient.writeEvents(
      cutOff.sorted().map { id in
        let failure = Event.Failure(
          message: "the connection was lost during the answer", code: .unavailable, retryable: true, partial: true)
        return Event(.error(failure), id: id)
      })
    state.withLock { state in
      let sent = state.lines[..<state.next]
      let again = sent.filter { $0.id.map(unanswered.contains) ?? false }
      state.lines = again + state.lines[state.next...]
      state.next = 0
    }
  }
}

import Synchronization
import TGPTEvents
import TGPTSession
import TGPTTools

/// Runs one round of tool calls: asks for approval one call at a time (a prompt is never
/// shown twice at once), then runs the approved calls concurrently, writing `tool_output`
/// events as output arrives and a `tool_result` as each call ends.
struct ToolRound {
  let tools: TurnTools
  let tag: @Sendable (Event.Payload) -> Event
  let emit: @Sendable (Event) throws -> Void

  /// How the round ended.
  enum Ending {
    /// Every call has its result, in the order of the calls.
    case finished([ToolResultRecord])
    /// The turn was cancelled while tools ran.
    case cancelled
    /// Writing an event failed.
    case writeFailed(any Error)
  }

  func run(_ calls: [Event.ToolCall]) async -> Ending {
    let offered = Set(tools.executor.specs.map(\.name))
    var verdicts: [ToolOutcome?] = []
    for call in calls {
      guard offered.contains(call.name) else {
        verdicts.append(nil)  // the executor says which tools there are
        continue
      }
      switch tools.approval {
      case .always: verdicts.append(nil)
      case .never(let reason): verdicts.append(Self.denied(call, reason: reason))
      case .ask(let approve):
        let yes = await approve(call)
        verdicts.append(yes ? nil : Self.denied(call, reason: "the user declined to run it"))
      }
      if Task.isCancelled { return .cancelled }
    }

    let writeError = Mutex<(any Error)?>(nil)
    let send: @Sendable (Event.Payload) -> Void = { payload in
      do {
        try emit(tag(payload))
      } catch {
        writeError.withLock { if $0 == nil { $0 = error } }
      }
    }
    let executor = tools.executor
    let results = await withTaskGroup(of: (Int, ToolResultRecord).self) { group in
      for (index, call) in calls.enumerated() {
        let verdict = verdicts[index]
        group.addTask {
          let started = ContinuousClock.now
          let outcome =
            if let verdict {
              verdict
            } else {
              await executor.run(call) { piece in send(.toolOutput(.init(callID: call.callID, content: piece))) }
            }
          let elapsed = ContinuousClock.now - started
          let milliseconds = Int(elapsed / .milliseconds(1))
          return (
            index,
            ToolResultRecord(
              callID: call.callID, name: call.name, content: outcome.content, exitCode: outcome.exitCode,
              durationMs: milliseconds, isError: outcome.isError)
          )
        }
      }
      var results = [ToolResultRecord?](repeating: nil, count: calls.count)
      for await (index, result) in group {
        results[index] = result
        send(
          .toolResult(
            .init(
              callID: result.callID, name: result.name, content: result.content, exitCode: result.exitCode,
              durationMs: result.durationMs, isError: result.isError)))
      }
      return results.compactMap { $0 }
    }
    if let error = writeError.withLock({ $0 }) { return .writeFailed(error) }
    if Task.isCancelled { return .cancelled }
    return .finished(results)
  }

  static func denied(_ call: Event.ToolCall, reason: String) -> ToolOutcome {
    ToolOutcome(content: "The call of \(call.name) was not run: \(reason).", isError: true)
  }
}

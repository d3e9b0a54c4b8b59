import TGPTEvents
import TGPTProviders
import TGPTSession
import TGPTTools

/// Runs one round of tool calls: asks for approval one call at a time (a prompt is never
/// shown twice at once), then runs the approved calls concurrently — at most
/// `concurrentCalls` at once, and at most `callsPerRound` of them — writing `tool_output`
/// events as output arrives and a `tool_result` as each call ends.
struct ToolRound {
  let tools: TurnTools
  let tag: @Sendable (Event.Payload) -> Event
  let emit: @Sendable (Event) throws -> Void

  /// Calls running at once: a model asking for hundreds must not start hundreds of processes.
  static let concurrentCalls = 8
  /// Calls run in one round; the rest get an error result.
  static let callsPerRound = 32

  /// How the round ended. Every call has its result, in the order of the calls, also when
  /// the turn was cancelled (the tools were stopped and said so).
  enum Ending {
    case finished([Event.ToolResult])
    /// The turn was cancelled while tools ran or a question was asked.
    case cancelled([Event.ToolResult])
    /// Writing an event failed.
    case writeFailed(any Error)
  }

  func run(_ calls: [Event.ToolCall]) async -> Ending {
    let verdicts = await approve(calls)
    let writeError = Guarded<(any Error)?>(nil)
    let send: @Sendable (Event.Payload) -> Void = { payload in
      do {
        try emit(tag(payload))
      } catch {
        writeError.withLock { if $0 == nil { $0 = error } }
      }
    }
    let executor = tools.executor
    let results = await withTaskGroup(of: (Int, Event.ToolResult).self) { group in
      func start(_ index: Int) {
        let call = calls[index]
        let verdict = verdicts[index]
        group.addTask {
          let started = ContinuousClock.now
          let outcome =
            if let verdict {
              verdict
            } else {
              await executor.run(call) { piece in send(.toolOutput(.init(callID: call.callID, content: piece))) }
            }
          let result = Event.ToolResult(
            callID: call.callID, name: call.name, content: outcome.content, exitCode: outcome.exitCode,
            durationMs: Int((ContinuousClock.now - started) / .milliseconds(1)), isError: outcome.isError)
          return (index, result)
        }
      }
      var next = 0
      while next < min(calls.count, Self.concurrentCalls) {
        start(next)
        next += 1
      }
      var results = [Event.ToolResult?](repeating: nil, count: calls.count)
      for await (index, result) in group {
        results[index] = result
        send(.toolResult(result))
        if next < calls.count {
          start(next)
          next += 1
        }
      }
      return results.compactMap { $0 }
    }
    if let error = writeError.withLock({ $0 }) { return .writeFailed(error) }
    if Task.isCancelled { return .cancelled(results) }
    return .finished(results)
  }

  /// An outcome for each call that is not to run (nil for those that are): unknown tools are
  /// left to the executor, which names the tools there are; calls past `callsPerRound`, and
  /// those not approved, get an error. Once cancelled, no more questions are asked.
  private func approve(_ calls: [Event.ToolCall]) async -> [ToolOutcome?] {
    let offered = Set(tools.executor.specs.map(\.name))
    var verdicts: [ToolOutcome?] = []
    for (index, call) in calls.enumerated() {
      if index >= Self.callsPerRound {
        verdicts.append(Self.denied(call, reason: "a round runs at most \(Self.callsPerRound) calls"))
      } else if Task.isCancelled {
        verdicts.append(Self.denied(call, reason: "the turn was interrupted"))
      } else if !offered.contains(call.name) {
        verdicts.append(nil)
      } else {
        switch tools.approval {
        case .always: verdicts.append(nil)
        case .never(let reason): verdicts.append(Self.denied(call, reason: reason))
        case .ask(let approve):
          let yes = await approve(call)
          verdicts.append(yes && !Task.isCancelled ? nil : Self.denied(call, reason: "the user declined to run it"))
        }
      }
    }
    return verdicts
  }

  static func denied(_ call: Event.ToolCall, reason: String) -> ToolOutcome {
    ToolOutcome(content: "The call of \(call.name) was not run: \(reason).", isError: true)
  }
}

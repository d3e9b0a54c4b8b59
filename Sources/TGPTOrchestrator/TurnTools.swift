package import TGPTEvents
package import TGPTProviders
package import TGPTTools

/// Runs the tools a process offers (`ToolBox` in the programs; a stand-in in tests).
package protocol ToolExecutor: Sendable {
  /// The tools, as offered to the model.
  var specs: [ToolSpec] { get }
  /// Runs one call; `onOutput` receives its output as it arrives. Never throws: a failure is
  /// an error outcome, which goes back to the model. Cancellation stops the tool.
  func run(_ call: Event.ToolCall, onOutput: @escaping @Sendable (String) -> Void) async -> ToolOutcome
}

/// Who agrees to a tool call before it runs.
package enum ToolApproval: Sendable {
  /// Every call of an enabled tool runs (enabling a tool is consent).
  case always
  /// No call runs; each gets an error result giving `reason` (e.g. "--approve never").
  case never(reason: String)
  /// Each call is put to someone (the chat's y/n/always prompt), who answers true to run it.
  case ask(@Sendable (Event.ToolCall) async -> Bool)
}

/// The tools of a turn: what runs them, who approves, and how many rounds the model gets.
package struct TurnTools: Sendable {
  package var executor: any ToolExecutor
  package var approval: ToolApproval
  /// Rounds of calls allowed in one turn; a model asking for more ends the turn with an error.
  package var maxRounds: Int

  /// The default `--max-tool-rounds`.
  package static let defaultMaxRounds = 8

  package init(executor: any ToolExecutor, approval: ToolApproval = .always, maxRounds: Int = defaultMaxRounds) {
    self.executor = executor
    self.approval = approval
    self.maxRounds = maxRounds
  }
}

extension ToolBox: ToolExecutor {
  /// Runs `call` in the process's working directory.
  package func run(_ call: Event.ToolCall, onOutput: @escaping @Sendable (String) -> Void) async -> ToolOutcome {
    await run(call, workingDirectory: nil, onOutput: onOutput)
  }
}

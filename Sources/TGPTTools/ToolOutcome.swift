import TGPTEvents

/// What a tool run gives back to the model.
public struct ToolOutcome: Sendable, Hashable {
  /// The result text (an executable's stdout, an MCP tool's text content, or why it failed).
  public var content: String
  /// The executable's exit status; nil when no process of ours ran.
  public var exitCode: Int?
  /// Whether the model is told the call failed.
  public var isError: Bool

  public init(content: String, exitCode: Int? = nil, isError: Bool = false) {
    self.content = content
    self.exitCode = exitCode
    self.isError = isError
  }
}

import TGPTEvents

/// What a tool run gives back to the model.
package struct ToolOutcome: Sendable, Hashable {
  /// The result text (an executable's stdout, an MCP tool's text content, or why it failed).
  package var content: String
  /// The executable's exit status; nil when no process of ours ran.
  package var exitCode: Int?
  /// Whether the model is told the call failed.
  package var isError: Bool

  package init(content: String, exitCode: Int? = nil, isError: Bool = false) {
    self.content = content
    self.exitCode = exitCode
    self.isError = isError
  }
}

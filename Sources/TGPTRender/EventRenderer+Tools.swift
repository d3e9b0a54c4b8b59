import TGPTEvents

/// Tool activity: with `tools: .status` a line per call and per result on stderr; with `.show`
/// also each call's output, a line at a time as its lines end, under the call's label; with
/// `.hide` nothing.
extension EventRenderer {
  mutating func toolCall(_ call: Event.ToolCall) {
    guard options.tools != .hide else { return }
    let label = toolCalls.begin(callID: call.callID, name: call.name)
    emit(ToolLines.call(label: label, arguments: call.arguments, lead: lead, width: width), style: Self.dimStyle)
  }

  mutating func toolOutput(_ output: Event.ToolOutput) {
    guard options.tools == .show else { return }
    let (label, lines) = toolCalls.output(callID: output.callID, content: output.content)
    for line in lines { showOutput(line, label: label) }
  }

  /// The result line, with the start of the result's content. Under `.show`, first what is
  /// left of the output, or for a tool that streamed none (an MCP tool, a denied call) the
  /// content as its output; the result line then shows only what was not shown above.
  mutating func toolResult(_ result: Event.ToolResult) {
    guard options.tools != .hide else { return }
    let ending = toolCalls.end(callID: result.callID, name: result.name, content: result.content)
    var preview = result.content[...]
    if options.tools == .show {
      if let rest = ending.rest { showOutput(rest, label: ending.label) }
      if ending.hadOutput {
        preview = ending.unshown
      } else {
        var lines = result.content.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for line in lines { showOutput(String(line), label: ending.label) }
        preview = ""
      }
    }
    let line = ToolLines.result(result, label: ending.label, preview: preview, lead: lead, width: width)
    emit(line, style: result.isError ? Self.failedToolStyle : Self.dimStyle)
  }

  /// The end of a turn: output lines still open are shown, and the calls forgotten.
  mutating func closeTools() {
    for (label, line) in toolCalls.close() where options.tools == .show { showOutput(line, label: label) }
  }

  private mutating func showOutput(_ line: String, label: String) {
    for row in ToolLines.output(line, label: label, width: width) { emit(row, style: Self.dimStyle) }
  }

  private var lead: String { options.program + ": " }
}

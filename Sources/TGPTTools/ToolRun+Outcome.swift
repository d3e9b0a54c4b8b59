import TGPTEvents

extension ToolRun {
  /// What the model is told about a run that has ended.
  ///
  /// A success is the stdout alone. A failure is the stdout so far, then the start of stderr
  /// (after a "stderr:" line), then one line that says what happened, so the model sees both
  /// what the tool printed and why the call failed.
  static func outcome(tool: ExecutableTool, output: String, errors: [UInt8], status: Int, stop: Stop?) -> ToolOutcome {
    let name = tool.name
    let what: String
    switch stop {
    case .timedOut: what = "tool \(name) timed out after \(tool.timeout.secondsText) s and was stopped"
    case .cut:
      what =
        "tool \(name) printed too much: its output was cut at \(tool.maxOutputBytes) bytes and the tool was stopped"
    case .cancelled: what = "tool \(name) was cancelled"
    case nil:
      guard status != 0 else { return ToolOutcome(content: output, exitCode: 0) }
      what = "tool \(name) exited with status \(status)"
    }
    var content = output
    if !errors.isEmpty {
      if !content.isEmpty, !content.hasSuffix("\n") { content += "\n" }
      let kept = Array(errors.prefix(stderrLimit))
      var shown = String(decoding: kept[..<UTF8Pieces.completePrefixLength(kept)], as: UTF8.self)
      if errors.count > stderrLimit { shown += "…" }
      content += "stderr:\n" + shown
    }
    if !content.isEmpty, !content.hasSuffix("\n") { content += "\n" }
    content += what
    return ToolOutcome(content: content, exitCode: status, isError: true)
  }
}

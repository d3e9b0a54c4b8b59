import TGPTEvents
import TGPTSession

/// The readable forms of `list` and `show`, also used by the chat's `/sessions` and `/history`.
enum SessionReports {
  /// One row per session: id, turns, last used, model, first words.
  static func table(_ sessions: [SessionSummary], into out: inout OutputBuffer) {
    let idWidth = sessions.reduce(2) { max($0, Readable.columns($1.id)) }
    let models = sessions.map { Readable.safe($0.settings.model ?? "-") }
    let modelWidth = models.reduce(5) { max($0, Readable.columns($1)) }
    out.padded("ID", idWidth)
    out.text("  TURNS  ")
    out.padded("LAST USED", 16)
    out.text("  ")
    out.padded("MODEL", modelWidth)
    out.text("  FIRST WORDS\n")
    for (session, model) in zip(sessions, models) {
      out.padded(session.id, idWidth)
      out.text("  ")
      out.rightAligned(String(session.turns), 5)
      out.text("  ")
      out.text(Readable.time(session.updatedAt))
      out.text("  ")
      out.padded(model, modelWidth)
      out.text("  ")
      out.text(Readable.safe(session.title))
      out.text("\n")
    }
  }

  /// Each message under a heading: role, time, model, status.
  static func transcript(_ messages: [StoredMessage], into out: inout OutputBuffer) {
    for message in messages {
      // A remote history comes from a server: its roles and models are untrusted text too.
      var heading = "── \(Readable.safe(message.role)) · \(Readable.time(message.createdAt))"
      if let model = message.model, message.role == "assistant" { heading += " · \(Readable.safe(model))" }
      if let result = Event.ToolResult(stored: message) { heading += " · " + toolHeading(result) }
      if message.status != .complete { heading += " · \(message.status.rawValue)" }
      out.text(heading + "\n")
      let content = Readable.safe(message.content)
      if !content.isEmpty { out.text(content + (content.hasSuffix("\n") ? "" : "\n")) }
      for attachment in message.attachments { out.text(attachmentLine(attachment) + "\n") }
      if message.role == "assistant" {
        for call in message.toolCalls?.arrayValue ?? [] { out.text(callLine(call) + "\n") }
      }
      if let error = message.error { out.text("[error: \(Readable.safe(error))]\n") }
      out.text("\n")
    }
  }

  /// `📎 name (type, size)` of an attachment; an image by URL shows its URL.
  static func attachmentLine(_ attachment: Attachment) -> String {
    let about = attachment.bytes.map { "\(attachment.mediaType), \(AttachmentError.size($0.count))" } ?? attachment.url
    return "📎 " + Readable.safe("\(attachment.name) (\(about))")
  }

  /// `name(arguments)` of a stored call, the arguments shortened to 200 characters.
  static func callLine(_ call: JSON) -> String {
    let arguments = call["arguments"].map { $0.stringValue ?? $0.compactText } ?? "{}"
    let shown = arguments.count > 200 ? String(arguments.prefix(199)) + "…" : arguments
    return "⚙ " + Readable.safe((call["name"]?.stringValue ?? "?") + "(" + shown + ")")
  }

  /// A tool result's name, exit status, time and whether it failed.
  static func toolHeading(_ result: Event.ToolResult) -> String {
    var parts = [Readable.safe(result.name)]
    if let exitCode = result.exitCode { parts.append("exit \(exitCode)") }
    if let milliseconds = result.durationMs { parts.append("\(milliseconds) ms") }
    if result.isError { parts.append("failed") }
    return parts.joined(separator: " · ")
  }
}

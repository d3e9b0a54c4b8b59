package import TGPTEvents

extension MCPServer {
  /// Calls tool `name` with the model's `arguments` (`tools/call`).
  ///
  /// The text content of the answer is the outcome's content (items joined by newlines);
  /// other content is described in brackets ("[image/png, 1234 bytes]"). The outcome is an
  /// error, still meant for the model, when the server says `isError`, answers with a
  /// JSON-RPC error, does not answer within `callTimeout`, exits during the call, or is down
  /// and cannot be restarted; and when `arguments` is a JSON string (the model's arguments
  /// were not valid JSON), in which case nothing is sent. Cancelling the calling task sends
  /// `notifications/cancelled` and returns at once.
  package func call(name tool: String, arguments: JSON) async -> ToolOutcome {
    if case .string(let raw) = arguments {
      return ToolOutcome(
        content: "tool \(tool) was not called: its arguments were not valid JSON: \(raw.shortened(to: 200))",
        isError: true)
    }
    let params: JSON = ["name": .string(tool), "arguments": arguments.isNull ? [:] : arguments]
    // A request that never reached the server (it had just died) is safe to send again, once,
    // to the restarted server.
    for _ in 0..<2 {
      let connection: MCPConnection
      switch await liveConnection() {
      case .running(let live): connection = live
      case .unavailable(let why): return ToolOutcome(content: why, isError: true)
      }
      switch await connection.request("tools/call", params: params, timeout: callTimeout) {
      case .result(let result):
        noteSuccess()
        return Self.outcome(of: result)
      case .failure(let failure):
        return ToolOutcome(
          content:
            "MCP server \(name) answered the call to \(tool) with an error: \(failure.message) (\(failure.code))",
          isError: true)
      case .ended(let why):
        return ToolOutcome(content: "MCP server \(name) \(why) during the call to \(tool)", isError: true)
      case .timedOut:
        return ToolOutcome(
          content: "MCP server \(name) did not answer the call to \(tool) within \(callTimeout.secondsText) s",
          isError: true)
      case .cancelled:
        return ToolOutcome(content: "the call to \(tool) was cancelled", isError: true)
      case .notDelivered:
        continue
      }
    }
    return ToolOutcome(content: "MCP server \(name) went away before the call to \(tool) reached it", isError: true)
  }

  /// The outcome of a `tools/call` result, its text cut at `maxBytes` (the executables' cap:
  /// a server's answer goes to the model, the store and every later request as much as a
  /// program's output does).
  static func outcome(of result: JSON, maxBytes: Int = ExecutableTool.defaultMaxOutputBytes) -> ToolOutcome {
    let items = result["content"]?.arrayValue ?? []
    var parts = items.map(describe)
    if parts.isEmpty, let structured = result["structuredContent"] { parts = [structured.compactText] }
    let text = parts.joined(separator: "\n")
    let isError = result["isError"]?.boolValue ?? false
    guard text.utf8.count > maxBytes else { return ToolOutcome(content: text, isError: isError) }
    var kept = Substring(text.utf8.prefix(maxBytes)).description
    // A character cut in two would be U+FFFD: drop it instead.
    while kept.utf8.count > maxBytes || kept.hasSuffix("\u{FFFD}") { kept.removeLast() }
    return ToolOutcome(
      content: kept + "\n[the answer was cut at \(maxBytes) bytes of \(text.utf8.count)]", isError: true)
  }

  /// One content item as text: text as it is, anything else briefly described.
  static func describe(_ item: JSON) -> String {
    let type = item["type"]?.stringValue ?? "unknown"
    switch type {
    case "text":
      return item["text"]?.stringValue ?? ""
    case "image", "audio":
      let mime = item["mimeType"]?.stringValue ?? type
      return "[\(mime), \(decodedSize(ofBase64: item["data"]?.stringValue ?? "")) bytes]"
    case "resource_link":
      return "[resource \(item["uri"]?.stringValue ?? "")]"
    case "resource":
      let resource = item["resource"] ?? [:]
      if let text = resource["text"]?.stringValue { return text }
      let mime = resource["mimeType"]?.stringValue ?? "binary"
      let size = decodedSize(ofBase64: resource["blob"]?.stringValue ?? "")
      return "[\(mime) resource \(resource["uri"]?.stringValue ?? ""), \(size) bytes]"
    default:
      return "[\(type) content]"
    }
  }

  /// How many bytes base64 `text` decodes to.
  static func decodedSize(ofBase64 text: String) -> Int {
    let characters = text.utf8.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
    let padding = characters.reversed().prefix { $0 == UInt8(ascii: "=") }.count
    return (characters.count - padding) * 3 / 4
  }
}

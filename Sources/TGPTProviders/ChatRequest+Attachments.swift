package import TGPTEvents

extension ChatRequest {
  /// A user message with attachments, in the OpenAI shape every wire format converts: one
  /// content part per attachment — an `image_url` part for an image (a data URL, or its URL),
  /// fenced text under its name for a text file — then the message's text. Without
  /// attachments, the plain `{"role":"user","content":TEXT}`.
  ///
  /// Attachments come first: models read an image or a file better before the question about
  /// it (Anthropic's advice for images).
  package static func userMessage(_ text: String, attachments: [Attachment]) -> JSON {
    guard !attachments.isEmpty else { return message(role: "user", content: text) }
    var parts: [JSON] = attachments.map { attachment in
      if attachment.isImage {
        return ["type": "image_url", "image_url": ["url": .string(attachment.url)]]
      }
      return ["type": "text", "text": .string(fenced(attachment.text ?? "", name: attachment.name))]
    }
    if !text.isEmpty { parts.append(["type": "text", "text": .string(text)]) }
    return .object(JSONObject([("role", "user"), ("content", .array(parts))]))
  }

  /// `name`, then the text in a fence longer than any run of backticks inside it, so the file
  /// cannot close the fence early.
  static func fenced(_ text: String, name: String) -> String {
    var longest = 0
    var run = 0
    for byte in text.utf8 {
      run = byte == UInt8(ascii: "`") ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: max(3, longest + 1))
    let body = text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
    return "\(name):\n\(fence)\n\(body)\(fence)"
  }

  /// How many images a message carries (each costs the context far more than its URL's text).
  package static func imageCount(of message: JSON) -> Int {
    message["content"]?.arrayValue?.count { $0["type"]?.stringValue == "image_url" } ?? 0
  }
}

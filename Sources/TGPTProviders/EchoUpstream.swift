/// The offline provider: answers with the last user message, word by word, so pipelines and
/// scripts can be tried without a network, a key or a bill.
struct EchoUpstream: Upstream {
  let delayMs: Int

  func attempt(_ chat: ChatRequest, bounds: AttemptBounds, emit: (ProviderOutput) throws -> Void) async throws {
    try emit(.model("echo"))
    let words = Self.words(chat.lastUserText ?? "")
    for (index, word) in words.enumerated() {
      if index > 0, delayMs > 0 { try await Task.sleep(for: .milliseconds(delayMs)) }
      try Task.checkCancellation()
      try emit(.content(word))
    }
    try emit(.finish("stop"))
    let prompt = chat.messages.reduce(0) { $0 + Self.words(ChatRequest.text(of: $1) ?? "").count }
    try emit(.usage(.init(promptTokens: prompt, completionTokens: words.count, totalTokens: prompt + words.count)))
    try emit(.done)
  }

  /// Splits text into words that each carry the whitespace after them, so the pieces
  /// concatenate to the exact text (leading whitespace stays with the first word).
  static func words(_ text: String) -> [String] {
    var result: [String] = []
    var current = ""
    var inSpace = false
    for character in text {
      let space = character.isWhitespace
      if !space, inSpace, !current.isEmpty, current.contains(where: { !$0.isWhitespace }) {
        result.append(current)
        current = ""
      }
      current.append(character)
      inSpace = space
    }
    if !current.isEmpty { result.append(current) }
    return result
  }
}

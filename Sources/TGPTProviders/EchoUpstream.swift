import TGPTEvents

/// The offline provider: answers with the last user message, word by word, so pipelines and
/// scripts can be tried without a network, a key or a bill.
struct EchoUpstream: Upstream {
  let delayMs: Int

  func attempt(
    _ chat: ChatRequest, limits: RunLimits, deadline: Deadline?, emit: (ProviderOutput) throws -> Void
  ) async throws {
    try emit(.model("echo"))
    let words = Self.words(chat.lastUserText ?? "")
    for (index, word) in words.enumerated() {
      if index > 0, delayMs > 0 { try await Task.sleep(for: .milliseconds(delayMs)) }
      try Task.checkCancellation()
      try emit(.content(word))
    }
    try emit(.finish("stop"))
    let prompt = chat.messages.reduce(0) { $0 + Self.wordCount(ChatRequest.text(of: $1) ?? "") }
    try emit(.usage(.init(promptTokens: prompt, completionTokens: words.count, totalTokens: prompt + words.count)))
    try emit(.done)
  }

  /// Splits text into words that each carry the whitespace after them, so the pieces
  /// concatenate to the exact text (leading whitespace stays with the first word).
  static func words(_ text: String) -> [String] {
    var result: [String] = []
    forEachWord(text) { result.append(String(Substring(text.unicodeScalars[$0]))) }
    return result
  }

  /// How many pieces `words` would make.
  static func wordCount(_ text: String) -> Int {
    var count = 0
    forEachWord(text) { _ in count += 1 }
    return count
  }

  private static func forEachWord(_ text: String, _ body: (Range<String.Index>) -> Void) {
    let scalars = text.unicodeScalars
    var start = scalars.startIndex
    var index = start
    var sawWord = false
    var inSpace = false
    while index != scalars.endIndex {
      let scalar = scalars[index]
      // ASCII first: the Unicode property lookup is far slower and rarely needed.
      let space =
        scalar.isASCII ? (scalar == " " || (0x09...0x0D).contains(scalar.value)) : scalar.properties.isWhitespace
      if !space, inSpace, sawWord {
        body(start..<index)
        start = index
        sawWord = false
      }
      if !space { sawWord = true }
      inSpace = space
      scalars.formIndex(after: &index)
    }
    if start != scalars.endIndex { body(start..<scalars.endIndex) }
  }
}

/// A conservative estimate of how many tokens text takes, without a tokenizer.
///
/// Tokenizers give English about 4 characters per token and CJK about one token per
/// character; we count more than that, so a context we think fits does fit:
/// - ASCII: one token per 3 bytes (rounded up);
/// - CJK ideographs, kana and Hangul: 1.5 tokens per character;
/// - other non-ASCII characters: 1 token each;
/// - 4 tokens per message for its role and framing.
package enum TokenEstimator {
  package static let perMessage = 4
  /// What an image costs, whatever its size: providers scale large images down to about this
  /// (Anthropic: at most about 1,600 tokens; OpenAI: 765 for a 1024×1024 image in detail).
  package static let perImage = 1600

  /// The estimated tokens of a text.
  package static func tokens(_ text: String) -> Int {
    var text = text
    return text.withUTF8(tokens)
  }

  /// Counted over the UTF-8 bytes: ASCII is one byte a character, and a character's first
  /// byte says how long it is, so only non-ASCII characters are decoded (for the CJK test).
  private static func tokens(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var ascii = 0
    var wideHalves = 0
    var other = 0
    var index = 0
    let count = bytes.count
    while index < count {
      let lead = bytes[index]
      if lead < 0x80 {
        ascii += 1
        index += 1
        continue
      }
      let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
      var value = UInt32(lead) & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F)
      for offset in 1..<length where index + offset < count {
        value = value << 6 | UInt32(bytes[index + offset] & 0x3F)
      }
      index += length
      if (0x3040...0x30FF).contains(value) || (0x3400...0x9FFF).contains(value) || (0xAC00...0xD7AF).contains(value)
        || (0xF900...0xFAFF).contains(value) || (0x20000...0x3FFFF).contains(value)
      {
        wideHalves += 3
      } else {
        other += 1
      }
    }
    return (ascii + 2) / 3 + (wideHalves + 1) / 2 + other
  }

  /// The estimated tokens of one message with its framing.
  package static func messageTokens(_ text: String) -> Int { tokens(text) + perMessage }
}

/// Context window sizes of common models, so `--context-tokens` is rarely needed.
package enum ModelContext {
  /// The window used when the model is unknown.
  package static let fallback = 8192

  private static let known: [(prefix: String, tokens: Int)] = [
    ("gpt-4.1", 1_000_000), ("gpt-4o", 128_000), ("gpt-4-turbo", 128_000), ("gpt-4", 8192), ("gpt-3.5", 16_385),
    ("gpt-5", 400_000), ("o1", 200_000), ("o3", 200_000), ("o4", 200_000),
    ("claude", 200_000), ("gemini-1.5", 1_000_000), ("gemini-2", 1_000_000), ("gemini", 1_000_000),
    ("llama-3", 128_000), ("llama3", 128_000), ("llama-2", 4096), ("mistral", 32_000), ("mixtral", 32_000),
    ("qwen", 32_000), ("deepseek", 64_000), ("grok", 128_000), ("echo", 1_000_000),
  ]

  /// The window of `model` (an OpenRouter id like `openai/gpt-4o-mini` works too), or the
  /// fallback.
  package static func tokens(for model: String?) -> Int { knownTokens(for: model) ?? fallback }

  /// The window of `model` when the table knows it.
  package static func knownTokens(for model: String?) -> Int? {
    guard let model else { return nil }
    let name = model.split(separator: "/").last.map { $0.lowercased() } ?? model.lowercased()
    return known.first { name.hasPrefix($0.prefix) }?.tokens
  }
}

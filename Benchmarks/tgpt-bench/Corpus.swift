import TGPTEvents

/// A deterministic Markdown answer like a long model reply: headings, inline markup, lists,
/// quotes, tables in about a quarter of the sections, CJK and emoji, and fenced code blocks
/// of about twelve lines in several languages.
enum Corpus {
  static func markdown(bytes target: Int) -> String {
    var text = ""
    var section = 0
    let languages = ["swift", "python", "javascript", "go", "rust", "json", "bash", "sql"]
    while text.utf8.count < target {
      section += 1
      text += "## Section \(section): notes on the **design** of `module_\(section)`\n\n"
      text += "This paragraph explains *why* the approach works, with a [reference](https://example.org/\(section)) "
      text += "and some ~~outdated~~ remarks. It mixes 日本語のテキスト and emoji 🚀✨ with plain words so that "
      text += "wrapping has to measure every grapheme correctly across a long line of prose.\n\n"
      text += "- first point about `value_\(section)` and **bold** text\n  - a nested detail\n- second point\n"
      text += "1. ordered one\n2. ordered two\n\n> A quoted remark that *matters*.\n\n"
      if section % 4 == 0 {
        text += "| Name | Value | Notes |\n|:-----|------:|:-----:|\n"
        text += "| alpha | \(section) | first |\n| 東京 | \(section * 2) | 二番目 |\n| gamma | 3 | third row |\n\n"
      }
      let language = languages[section % languages.count]
      text += "```\(language)\n"
      for line in 0..<12 {
        text += "    let value\(line) = compute(\"text \(line)\", \(line * section)) // comment \(line)\n"
      }
      text += "```\n\n"
    }
    return text
  }

  /// Paragraphs and lists only.
  static func prose(bytes target: Int) -> String {
    var text = ""
    var n = 0
    while text.utf8.count < target {
      n += 1
      text += "This paragraph \(n) explains *why* the approach works, with a [reference](https://example.org/\(n)) "
      text += "and some **bold** remarks about `value_\(n)` that wrap across a long line of prose text.\n\n"
      text += "- first point about the design\n- second point with more words in it\n\n"
    }
    return text
  }

  /// One fenced Python block of `lines` lines.
  static func codeBlock(lines: Int) -> String {
    var text = "```python\n"
    for line in 0..<lines {
      text += "def function_\(line)(x, y=\"\(line)\"):  # comment \(line)\n"
    }
    return text + "```\n"
  }

  /// The text cut into pieces of `size` bytes (at character boundaries).
  static func chunks(_ text: String, size: Int) -> [String] {
    var result: [String] = []
    var current = ""
    for character in text {
      current.append(character)
      if current.utf8.count >= size {
        result.append(current)
        current = ""
      }
    }
    if !current.isEmpty { result.append(current) }
    return result
  }

  /// An NDJSON event stream that delivers `text` in chunks of `size` bytes.
  static func events(_ text: String, size: Int) -> [UInt8] {
    var out = Event(.start(.init(model: "bench/model", provider: "echo"))).line
    for chunk in chunks(text, size: size) {
      out += Event(.chunk(.init(content: chunk, model: "bench/model"))).line
    }
    out += Event(.complete(.init(processingTimeMs: 1, finishReason: "stop"))).line
    return out
  }
}

import TGPTEvents

/// Markdown inline text as it should be spoken: emphasis and strike-through markers removed,
/// inline code kept as its text, a link or image as its text, an autolink as its address,
/// backslash escapes resolved, `<br>` as a space, whitespace folded to single spaces.
enum SpeechText {
  /// The speech text of `markdown`, or nil when nothing in it can be spoken (only spaces and
  /// punctuation, say).
  static func plain(_ markdown: ArraySlice<Unicode.Scalar>) -> String? {
    let text = inline(Array(markdown))
    var folded = String.UnicodeScalarView()
    var space = false
    for scalar in text {
      if SentenceSplitter.isWhitespace(scalar) || scalar.properties.generalCategory == .spaceSeparator {
        space = !folded.isEmpty
        continue
      }
      if space { folded.append(" ") }
      space = false
      folded.append(scalar)
    }
    let speakable = folded.contains { scalar in
      scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar.properties.isEmojiPresentation
    }
    return speakable ? String(folded) : nil
  }

  private static func inline(_ s: [Unicode.Scalar]) -> String.UnicodeScalarView {
    var out = String.UnicodeScalarView()
    var i = 0
    while i < s.count {
      let c = s[i]
      switch c {
      case "\\" where i + 1 < s.count && isASCIIPunctuation(s[i + 1]):
        out.append(s[i + 1])
        i += 2
      case "`":
        let run = runLength(s, at: i)
        if let close = closingRun(s, from: i + run, length: run) {
          out.append(
            contentsOf: String(String.UnicodeScalarView(s[(i + run)..<close])).trimmingSpacesAndTabs.unicodeScalars)
          i = close + run
        } else {
          i += run
        }
      case "[",
        "!" where i + 1 < s.count && s[i + 1] == "[":
        let open = c == "!" ? i + 1 : i
        if let (text, end) = link(s, at: open) {
          out.append(contentsOf: inline(text))
          i = end
        } else {
          out.append(c)
          i += 1
        }
      case "<":
        if let (text, end) = angle(s, at: i) {
          out.append(contentsOf: text.unicodeScalars)
          i = end
        } else {
          out.append(c)
          i += 1
        }
      case "*", "_", "~":
        let run = runLength(s, at: i)
        let before: Unicode.Scalar? = i > 0 ? s[i - 1] : nil
        let after: Unicode.Scalar? = i + run < s.count ? s[i + run] : nil
        if isMarker(c, run: run, before: before, after: after) {
          i += run
        } else {
          out.append(contentsOf: s[i..<(i + run)])
          i += run
        }
      default:
        out.append(c)
        i += 1
      }
    }
    return out
  }

  /// Whether a run of `*`, `_` or `~` is emphasis or strike-through markup, not text: `*` next
  /// to a word (not `2 * 3`), `_` not inside a word (not `snake_case`), `~~` (not `~5`).
  private static func isMarker(_ c: Unicode.Scalar, run: Int, before: Unicode.Scalar?, after: Unicode.Scalar?) -> Bool {
    let spaceBefore = before.map(SentenceSplitter.isWhitespace) ?? true
    let spaceAfter = after.map(SentenceSplitter.isWhitespace) ?? true
    switch c {
    case "*": return !(spaceBefore && spaceAfter)
    case "_":
      let wordBefore = before.map { $0.properties.isAlphabetic || $0.properties.numericType != nil } ?? false
      let wordAfter = after.map { $0.properties.isAlphabetic || $0.properties.numericType != nil } ?? false
      return !(wordBefore && wordAfter) && !(spaceBefore && spaceAfter)
    default: return run >= 2
    }
  }

  /// `[text](destination)`, `[text][ref]` or `[text]` at `open`: the text and the index after.
  private static func link(_ s: [Unicode.Scalar], at open: Int) -> ([Unicode.Scalar], Int)? {
    var depth = 0
    var i = open
    while i < s.count {
      if s[i] == "[" { depth += 1 }
      if s[i] == "]" {
        depth -= 1
        if depth == 0 { break }
      }
      i += 1
    }
    guard i < s.count else { return nil }
    let text = Array(s[(open + 1)..<i])
    let after = i + 1
    guard after < s.count, s[after] == "(" || s[after] == "[" else { return nil }
    let close: Unicode.Scalar = s[after] == "(" ? ")" : "]"
    depth = 0
    var j = after
    while j < s.count {
      if s[j] == s[after] { depth += 1 }
      if s[j] == close {
        depth -= 1
        if depth == 0 { return (text, j + 1) }
      }
      j += 1
    }
    return nil
  }

  /// `<https://…>` (an autolink: its address) or `<br>` (a space) at `open`.
  private static func angle(_ s: [Unicode.Scalar], at open: Int) -> (String, Int)? {
    guard let close = s[open...].firstIndex(of: ">") else { return nil }
    let inside = String(String.UnicodeScalarView(s[(open + 1)..<close]))
    if inside.contains(" ") { return nil }
    if inside.hasPrefix("http://") || inside.hasPrefix("https://") || inside.hasPrefix("mailto:") {
      return (inside, close + 1)
    }
    let tag = inside.lowercased()
    return tag == "br" || tag == "br/" || tag == "br /" ? (" ", close + 1) : nil
  }

  private static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: true
    default: false
    }
  }

  private static func runLength(_ s: [Unicode.Scalar], at i: Int) -> Int {
    var j = i
    while j < s.count, s[j] == s[i] { j += 1 }
    return j - i
  }

  private static func closingRun(_ s: [Unicode.Scalar], from start: Int, length: Int) -> Int? {
    var i = start
    while i < s.count {
      if s[i] == "`" {
        let run = runLength(s, at: i)
        if run == length { return i }
        i += run
      } else {
        i += 1
      }
    }
    return nil
  }
}

extension SentenceSplitter {
  /// What a terminator in `pending` turns out to be.
  private enum Decision {
    /// The text after it has not arrived yet.
    case wait
    /// Not a sentence end: go on looking after the terminators, at this index.
    case goOn(Int)
    /// A sentence ends before this index.
    case end(Int)
  }

  /// Looks through `pending` for sentence ends and gives out the sentences before them;
  /// `final`: no more text follows, so what a decision waits for will not come.
  mutating func scan(final: Bool) {
    var i = scanned
    while i < pending.count {
      let scalar = pending[i]
      if scalar == "`" {
        var end = i
        while end < pending.count, pending[end] == "`" { end += 1 }
        // A run cut off at the end may go on: its length decides which span it closes.
        if end == pending.count, !final { break }
        let run = end - i
        if codeTicks == 0 {
          codeTicks = run
        } else if codeTicks == run {
          codeTicks = 0
        }
        i = end
        continue
      }
      if codeTicks > 0 {
        // An inline code span does not run on past its line: one stray backtick must not
        // hold back the rest of the paragraph.
        if scalar == "\n" { codeTicks = 0 }
        i += 1
        continue
      }
      switch scalar {
      case "[": linkDepth += 1
      case "]": linkDepth = max(0, linkDepth - 1)
      // Like inline code, an unclosed bracket holds back no more than its line.
      case "\n": linkDepth = 0
      default: break
      }
      guard Self.isTerminator(scalar), linkDepth == 0 else {
        i += 1
        continue
      }
      switch decide(at: i, final: final) {
      case .wait:
        scanned = i
        return
      case .goOn(let next):
        i = next
      case .end(let end):
        emit(upTo: end)
        i = 0
      }
    }
    scanned = i
  }

  /// Whether the terminators starting at `start` end a sentence.
  private func decide(at start: Int, final: Bool) -> Decision {
    var i = start
    var cjk = false
    while i < pending.count, Self.isTerminator(pending[i]) {
      cjk = Self.cjkTerminators.contains(pending[i])
      i += 1
    }
    let afterTerminators = i
    // More terminators may follow (`?` then `!`), or closing quotes and brackets.
    while i < pending.count, Self.closers.contains(pending[i]) { i += 1 }
    guard i < pending.count else { return final ? .end(i) : .wait }
    if cjk { return .end(i) }
    guard Self.isWhitespace(pending[i]) else { return .goOn(afterTerminators) }
    let closed = i
    while i < pending.count, Self.isWhitespace(pending[i]) { i += 1 }
    let next: Unicode.Scalar? = i < pending.count ? pending[i] : nil
    if next == nil, !final { return .wait }
    // "e.g. this", "Wait... what?", "“Why?” she asked": a lowercase word goes on the sentence.
    if let next, next.properties.isLowercase { return .goOn(afterTerminators) }
    if afterTerminators - start == 1, pending[start] == ".", isAbbreviation(before: start, next: next) {
      return .goOn(afterTerminators)
    }
    return .end(closed)
  }

  /// Whether the word before the single full stop at `dot` is an abbreviation here, `next`
  /// being the first character after the space (nil: the end).
  private func isAbbreviation(before dot: Int, next: Unicode.Scalar?) -> Bool {
    var first = dot
    while first > 0, !Self.isWhitespace(pending[first - 1]) { first -= 1 }
    var word = String(String.UnicodeScalarView(pending[first..<dot]))
    while let lead = word.unicodeScalars.first, Self.openers.contains(lead) { word.unicodeScalars.removeFirst() }
    let scalars = Array(word.unicodeScalars)
    if scalars.count == 1, scalars[0].properties.isUppercase { return true }
    if Self.titles.contains(word) || Self.latin.contains(word.lowercased()) { return true }
    if let next, next.properties.numericType != nil, Self.beforeNumbers.contains(word.lowercased()) { return true }
    // U.S., a.m., Ph.D.: a sentence end only when a capital letter follows.
    if scalars.contains("."), scalars.contains(where: { $0.properties.isAlphabetic }) {
      return !(next?.properties.isUppercase ?? true)
    }
    return false
  }

  static func isTerminator(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case ".", "!", "?", "…", "‼", "⁇", "⁈", "⁉": true
    default: cjkTerminators.contains(scalar)
    }
  }

  static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\u{A0}" || scalar == "\u{3000}"
  }

  private static let cjkTerminators: Set<Unicode.Scalar> = ["。", "！", "？", "｡"]
  /// What may close a sentence after its terminator: quotes, brackets, emphasis markers.
  private static let closers: Set<Unicode.Scalar> = [
    "\"", "'", "”", "’", "»", "›", ")", "]", "}", "*", "_", "~", "」", "』", "）", "】", "〕", "〉", "》", "］",
  ]
  /// What may open a word before an abbreviation: quotes, brackets, emphasis markers.
  private static let openers: Set<Unicode.Scalar> = ["\"", "'", "“", "‘", "«", "(", "[", "{", "*", "_", "~", "¿", "¡"]
  /// Titles before a name: never the end of a sentence.
  private static let titles: Set<String> = [
    "Mr", "Mrs", "Ms", "Mx", "Dr", "Drs", "Prof", "Rev", "Gen", "Capt", "Lt", "Col", "Sgt", "Hon", "Gov", "Sen",
    "Rep", "St", "Mt", "Messrs", "Mme", "Mlle", "Mmes",
  ]
  /// Abbreviations that never end a sentence (compared in lowercase).
  private static let latin: Set<String> = ["e.g", "i.e", "cf", "viz", "vs", "approx", "ca", "resp"]
  /// Abbreviations before a number (`No. 5`, `Fig. 3`, `p. 12`; compared in lowercase).
  private static let beforeNumbers: Set<String> = [
    "no", "nos", "nr", "vol", "vols", "fig", "figs", "eq", "eqs", "ch", "sec", "art", "p", "pp", "op", "ver",
  ]
}

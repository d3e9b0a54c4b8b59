import TGPTEvents

/// What a line of Markdown is for speaking it, told from the line's start (`SentenceSplitter`).
///
/// A line is classified as soon as its first characters show what it is (`- i` is a list item,
/// `H` is text), so speech of a long paragraph need not wait for its end; a table row and a line
/// inside a fenced code block wait for their newline.
enum SpokenLine: Equatable {
  /// Nothing but spaces (or quote markers): a paragraph break, which ends a sentence.
  case blank
  /// Paragraph text from `rest` on (indentation and quote markers dropped).
  case text(rest: Int)
  /// A heading; its text, from `rest` on, is a sentence of its own.
  case heading(rest: Int)
  /// A list item; its text, from `rest` on, starts a new sentence.
  case listItem(rest: Int)
  /// A fence that opens a code block.
  case fence(Fence)
  /// The fence that closes the open code block.
  case closingFence
  /// A line inside a code block: not spoken.
  case code
  /// A thematic break or a setext underline: ends a sentence, not spoken.
  case rule
  /// A table row: its cells are spoken as one sentence.
  case tableRow(cells: [String])

  /// A code fence: its character and length (a closing fence must be at least as long).
  struct Fence: Equatable {
    var marker: Unicode.Scalar
    var count: Int
  }

  /// The kind of the line starting with `line` (without its newline), or nil while more of the
  /// line is needed; `ended`: the newline was seen. `fence`: the code block the line is in.
  static func classify(_ line: [Unicode.Scalar], ended: Bool, fence: Fence?) -> SpokenLine? {
    if let fence {
      guard ended else { return nil }
      var i = skipSpaces(line, from: 0)
      var count = 0
      while i < line.count, line[i] == fence.marker {
        count += 1
        i += 1
      }
      return count >= fence.count && skipSpaces(line, from: i) == line.count ? .closingFence : .code
    }
    var i = skipSpaces(line, from: 0)
    while i < line.count, line[i] == ">" { i = skipSpaces(line, from: i + 1) }
    guard i < line.count else { return ended ? .blank : nil }
    switch line[i] {
    case "#": return heading(line, at: i, ended: ended)
    case "`", "~":
      let run = runLength(line, at: i)
      if run >= 3 { return .fence(Fence(marker: line[i], count: run)) }
      return i + run < line.count || ended ? .text(rest: i) : nil
    case "-", "*", "_", "+", "=": return markerLine(line, at: i, ended: ended)
    case "0"..."9": return numbered(line, at: i, ended: ended)
    case "|": return ended ? table(line[i...]) : nil
    default: return .text(rest: i)
    }
  }

  private static func heading(_ line: [Unicode.Scalar], at i: Int, ended: Bool) -> SpokenLine? {
    let run = runLength(line, at: i)
    let end = i + run
    guard end < line.count else { return ended ? (run <= 6 ? .heading(rest: end) : .text(rest: i)) : nil }
    return run <= 6 && isSpace(line[end]) ? .heading(rest: end + 1) : .text(rest: i)
  }

  /// A line starting with `-`, `*`, `_`, `+` or `=`: a rule (the character three times or more,
  /// spaces between allowed; `=` or `--` under a paragraph), a list item (`- `, `* `, `+ `),
  /// or text (`**bold**`, `_word_`, `-5`).
  private static func markerLine(_ line: [Unicode.Scalar], at i: Int, ended: Bool) -> SpokenLine? {
    let marker = line[i]
    var j = i
    var count = 0
    while j < line.count, line[j] == marker || isSpace(line[j]) {
      if line[j] == marker { count += 1 }
      j += 1
    }
    if j == line.count {
      guard ended else { return nil }
      if count >= 3 || marker == "=" || (marker == "-" && count == 2) { return .rule }
      if "-*+".unicodeScalars.contains(marker) { return count == 1 ? .listItem(rest: j) : .text(rest: i) }
      return .text(rest: i)
    }
    if "-*+".unicodeScalars.contains(marker), i + 1 < line.count, isSpace(line[i + 1]) {
      return .listItem(rest: i + 2)
    }
    return .text(rest: i)
  }

  /// `1. ` or `1) `: an ordered list item; other text starting with a digit is text.
  private static func numbered(_ line: [Unicode.Scalar], at i: Int, ended: Bool) -> SpokenLine? {
    var j = i
    while j < line.count, j - i < 10, ("0"..."9").contains(line[j]) { j += 1 }
    guard j < line.count else { return ended ? .text(rest: i) : nil }
    guard line[j] == "." || line[j] == ")", j - i < 10 else { return .text(rest: i) }
    guard j + 1 < line.count else { return ended ? .listItem(rest: j + 1) : nil }
    return isSpace(line[j + 1]) ? .listItem(rest: j + 2) : .text(rest: i)
  }

  /// A whole line starting with `|`: its cells, or a rule for the delimiter row (`|---|:-:|`).
  private static func table(_ line: ArraySlice<Unicode.Scalar>) -> SpokenLine {
    var cells: [String] = []
    var cell = String.UnicodeScalarView()
    var escaped = false
    for scalar in line.dropFirst() {
      if scalar == "|", !escaped {
        cells.append(String(cell))
        cell = String.UnicodeScalarView()
      } else {
        cell.append(scalar)
      }
      escaped = scalar == "\\" && !escaped
    }
    cells.append(String(cell))
    let trimmed = cells.map { $0.trimmingSpacesAndTabs }.filter { !$0.isEmpty }
    let delimiter = trimmed.allSatisfy { cell in cell.unicodeScalars.allSatisfy { $0 == "-" || $0 == ":" } }
    return delimiter ? .rule : .tableRow(cells: trimmed)
  }

  private static func runLength(_ line: [Unicode.Scalar], at i: Int) -> Int {
    var j = i
    while j < line.count, line[j] == line[i] { j += 1 }
    return j - i
  }

  private static func skipSpaces(_ line: [Unicode.Scalar], from start: Int) -> Int {
    var i = start
    while i < line.count, isSpace(line[i]) { i += 1 }
    return i
  }

  static func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }
}

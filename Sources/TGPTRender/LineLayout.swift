/// Lays out one source line of prose into rows no wider than `width`, breaking at spaces and
/// between wide (CJK) characters, with a first-row prefix (a bullet, a quote bar) and a
/// hanging indent for the rows after it. Rows that fill are committed; the last row stays open.
///
/// Decisions depend only on the text, never on how it was split into calls, so the same
/// answer always lays out the same way however it streamed in.
struct LineLayout {
  let width: Int
  private let restPrefix: Row
  /// Rows completed and not yet taken.
  private(set) var committed: [Row] = []

  private var row: Row
  private var rowWidth: Int
  /// The width of the current row's prefix (nothing of the line's own text).
  private var rowPrefixWidth: Int
  private var rowHasWords = false
  /// The word being read: it is placed when it ends, because only then is its width known.
  private var word: Row = []
  private var wordWidth = 0
  private var spaceBeforeWord = false

  init(width: Int, firstPrefix: Row = [], restPrefix: Row = []) {
    self.width = max(width, 1)
    self.restPrefix = restPrefix
    row = firstPrefix
    rowWidth = firstPrefix.width
    rowPrefixWidth = rowWidth
  }

  /// Takes the committed rows.
  mutating func takeCommitted() -> [Row] {
    defer { committed.removeAll(keepingCapacity: true) }
    return committed
  }

  /// The last character added, held back: the next text may continue its grapheme cluster
  /// (a skin tone, a flag's second half, a combining accent arriving in the next chunk).
  private var tail: (text: String, style: Style)?

  /// Adds text in one style.
  mutating func add(_ text: Substring, _ style: Style) {
    guard !text.isEmpty else { return }
    var combined = text
    if let held = tail {
      tail = nil
      if held.style == style {
        combined = Substring(held.text + text)
      } else {
        layOut(Substring(held.text), held.style)
      }
    }
    guard let last = combined.indices.last else { return }
    layOut(combined[..<last], style)
    tail = (String(combined[last...]), style)
  }

  private mutating func flushTail() {
    guard let held = tail else { return }
    tail = nil
    layOut(Substring(held.text), held.style)
  }

  private mutating func layOut(_ text: Substring, _ style: Style) {
    guard !text.isEmpty else { return }
    var ascii = true
    for byte in text.utf8 where byte >= 0x80 {
      ascii = false
      break
    }
    if ascii { addASCII(text, style) } else { addUnicode(text, style) }
  }

  private mutating func addASCII(_ text: Substring, _ style: Style) {
    let utf8 = text.utf8
    var start = utf8.startIndex
    var index = start
    while index != utf8.endIndex {
      let byte = utf8[index]
      if byte == 0x20 || byte == 0x09 || byte == 0x0A {
        if start != index {
          appendToWord(Substring(utf8[start..<index]), style, width: utf8.distance(from: start, to: index))
        }
        endWord()
        spaceBeforeWord = true
        start = utf8.index(after: index)
      }
      index = utf8.index(after: index)
    }
    if start != utf8.endIndex {
      appendToWord(Substring(utf8[start..<utf8.endIndex]), style, width: utf8.distance(from: start, to: utf8.endIndex))
    }
  }

  private mutating func addUnicode(_ text: Substring, _ style: Style) {
    var runStart = text.startIndex
    var runWidth = 0
    var index = text.startIndex
    while index != text.endIndex {
      let character = text[index]
      let next = text.index(after: index)
      if character.isWhitespace {
        if runStart != index { appendToWord(text[runStart..<index], style, width: runWidth) }
        endWord()
        spaceBeforeWord = true
        runStart = next
        runWidth = 0
      } else {
        let characterWidth = DisplayWidth.of(character)
        if characterWidth == 2 {
          // A wide character is a word of its own: lines may break on either side of it.
          if runStart != index { appendToWord(text[runStart..<index], style, width: runWidth) }
          endWord()
          appendToWord(text[index..<next], style, width: 2)
          endWord()
          runStart = next
          runWidth = 0
        } else {
          runWidth += characterWidth
        }
      }
      index = next
    }
    if runStart != text.endIndex { appendToWord(text[runStart..<text.endIndex], style, width: runWidth) }
  }

  private mutating func appendToWord(_ text: Substring, _ style: Style, width: Int) {
    word.appendMerging(Span(String(text), style, width: width))
    wordWidth += width
  }

  /// Places the finished word on the current row, or on a new one when it does not fit.
  private mutating func endWord() {
    guard !word.isEmpty else { return }
    defer {
      word.removeAll(keepingCapacity: true)
      wordWidth = 0
      spaceBeforeWord = false
    }
    let space = spaceBeforeWord && rowHasWords
    if rowWidth + (space ? 1 : 0) + wordWidth <= width {
      if space {
        row.appendMerging(Span(" ", spaceStyle(before: word), width: 1))
        rowWidth += 1
      }
      place(word, wordWidth)
      return
    }
    if rowHasWords { commitRow() }
    if rowWidth + wordWidth <= width {
      place(word, wordWidth)
      return
    }
    // Longer than a whole row: split it at grapheme boundaries.
    for span in word {
      var piece = ""
      var pieceWidth = 0
      for character in span.text {
        let characterWidth = DisplayWidth.of(character)
        if rowWidth + pieceWidth + characterWidth > width, rowWidth + pieceWidth > rowPrefixWidth {
          if !piece.isEmpty { place([Span(piece, span.style, width: pieceWidth)], pieceWidth) }
          commitRow()
          piece = ""
          pieceWidth = 0
        }
        piece.append(character)
        pieceWidth += characterWidth
      }
      if !piece.isEmpty { place([Span(piece, span.style, width: pieceWidth)], pieceWidth) }
    }
  }

  private mutating func place(_ spans: Row, _ spansWidth: Int) {
    for span in spans { row.appendMerging(span) }
    rowWidth += spansWidth
    rowHasWords = true
  }

  /// The space between two words carries their style when they share it (a link of two words
  /// is underlined across the space).
  private func spaceStyle(before next: Row) -> Style {
    guard let last = row.last?.style, let first = next.first?.style, last == first else { return .plain }
    return last
  }

  private mutating func commitRow() {
    committed.append(row)
    row = restPrefix
    rowWidth = restPrefix.width
    rowPrefixWidth = rowWidth
    rowHasWords = false
  }

  /// Ends the line: the last row is committed (a line with no words still yields its prefix).
  mutating func finish() {
    flushTail()
    endWord()
    committed.append(row)
    row = []
    rowWidth = 0
    rowHasWords = false
  }

  /// The row being filled, with the partial word, cut to the width: what to show provisionally.
  var openRow: Row {
    var copy = self
    copy.flushTail()
    return copy.provisionalRow
  }

  private var provisionalRow: Row {
    var result = row
    var total = rowWidth
    if !word.isEmpty {
      if spaceBeforeWord && rowHasWords && total < width {
        result.appendMerging(Span(" ", .plain, width: 1))
        total += 1
      }
      for span in word {
        if total + span.width <= width {
          result.appendMerging(span)
          total += span.width
          continue
        }
        var piece = ""
        var pieceWidth = 0
        for character in span.text {
          let characterWidth = DisplayWidth.of(character)
          if total + pieceWidth + characterWidth > width { break }
          piece.append(character)
          pieceWidth += characterWidth
        }
        if !piece.isEmpty { result.appendMerging(Span(piece, span.style, width: pieceWidth)) }
        break
      }
    }
    return result
  }
}

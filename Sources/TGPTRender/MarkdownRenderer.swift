#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Renders Markdown as it streams: text in, terminal rows out. A pure state machine — no I/O,
/// no clock — so it is tested with golden files and with every split of its input.
///
/// Each source line becomes one or more rows (line breaks are kept, as in chat). A row is
/// committed once it is final and never changes; the row being written is available as
/// `openRow`, provisional, never wider than `width`. Tables are held until they end and then
/// laid out; code blocks are coloured line by line.
package struct MarkdownRenderer {
  /// The width new lines are laid out to (a resize changes it for the lines that follow).
  package var width: Int {
    didSet { width = max(width, 8) }
  }
  let theme: Theme
  let hyperlinks: Bool
  /// Applied under every style (dim for reasoning).
  let base: Style

  var committed: [Row] = []
  /// The current line while it is classified, held whole, or is a line of code.
  var buffer: [UInt8] = []
  var state = LineState.start
  var fence: Fence?
  var table: [String]?
  /// Emphasis left open at the end of the last paragraph line, for the next one.
  var paragraphEmphasis: InlineParser.Emphasis?
  /// Whether the prose line in progress is a plain paragraph line.
  var lineIsParagraph = false
  /// The content column of each open list item, innermost last.
  var lists: [ListLevel] = []

  enum LineState {
    /// Reading the start of a line until it is clear what kind of line it is.
    case start
    case prose(LineLayout, InlineParser)
    /// A line inside a code block, coloured when complete.
    case code
    /// A line that must be seen whole first (a rule, a fence, a table row).
    case held
  }

  struct Fence {
    var marker: Character
    var count: Int
    var indent: Int
    var highlighter: Highlighter
  }

  struct ListLevel {
    /// The indentation of the item's marker in the source.
    var sourceIndent: Int
    /// The display column where the item's text starts.
    var contentColumn: Int
  }

  package init(width: Int, theme: Theme = .standard, hyperlinks: Bool = false, base: Style = .plain) {
    self.width = max(width, 8)
    self.theme = theme
    self.hyperlinks = hyperlinks
    self.base = base
  }

  // MARK: - Input

  /// Feeds answer text (already sanitised).
  package mutating func feed(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
      guard let base = bytes.baseAddress else { return }
      var start = 0
      while start < bytes.count, let hit = memchr(base + start, 0x0A, bytes.count - start) {
        let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
        feedPartial(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        endLine()
        start = end + 1
      }
      if start < bytes.count { feedPartial(UnsafeBufferPointer(rebasing: bytes[start...])) }
    }
  }

  /// Ends the text: the last line, an open table, look-ahead all resolve.
  package mutating func finish() {
    if !buffer.isEmpty || !isAtLineStart { endLine() }
    flushTable()
    fence = nil
    lists.removeAll()
  }

  /// Takes the rows committed since the last call.
  package mutating func takeCommitted() -> [Row] {
    let rows = committed
    committed = []
    guard base != .plain else { return rows }
    return rows.map { row in row.mapStyles { base.merged(with: $0) } }
  }

  /// Whether nothing of the current line has been seen.
  var isAtLineStart: Bool {
    if case .start = state { return buffer.isEmpty }
    return false
  }

  /// The row being written, provisional; nil when nothing of the current line is shown.
  package var openRow: Row? {
    var row: Row
    switch state {
    case .prose(let layout, _):
      row = layout.openRow
    case .code:
      guard let fence else { return nil }
      let visible = Array(buffer.prefix(previewBytes))
      row = codeIndent(fence.indent) + fence.highlighter.preview(expandTabs(stripIndent(visible, fence.indent)))
    case .start, .held:
      guard !buffer.isEmpty else { return nil }
      row = [Span(String(decoding: expandTabs(buffer.prefix(previewBytes)), as: UTF8.self))]
    }
    row = truncate(row, to: width)
    guard !row.isEmpty else { return nil }
    guard base != .plain else { return row }
    return row.mapStyles { base.merged(with: $0) }
  }

  mutating func feedPartial(_ piece: UnsafeBufferPointer<UInt8>) {
    guard !piece.isEmpty else { return }
    switch state {
    case .prose(var layout, var inline):
      state = .start  // release the copies held in the enum so they are mutated in place
      inline.feed(piece, into: &layout)
      committed.append(contentsOf: layout.takeCommitted())
      state = .prose(layout, inline)
    case .code, .held:
      buffer.append(contentsOf: piece)
    case .start:
      buffer.append(contentsOf: piece)
      classify(complete: false)
    }
  }

  mutating func endLine() {
    if case .start = state { classify(complete: true) }
    switch state {
    case .prose:
      finishProseLine()
    case .code:
      endCodeLine()
    case .held:
      endHeldLine()
    case .start:
      break
    }
    state = .start
    buffer.removeAll(keepingCapacity: true)
  }
}

/// Cuts a row to `width` columns without splitting a grapheme.
func truncate(_ row: Row, to width: Int) -> Row {
  guard row.width > width else { return row }
  var result: Row = []
  var total = 0
  for index in row.indices {
    let run = row.runs[index]
    if total + run.width <= width {
      result.append(contentsOf: row, run: index)
      total += run.width
      continue
    }
    let span = row[index]
    var piece = ""
    var pieceWidth = 0
    for character in span.text {
      let w = DisplayWidth.of(character)
      if total + pieceWidth + w > width { break }
      piece.append(character)
      pieceWidth += w
    }
    if !piece.isEmpty { result.append(Span(piece, span.style, width: pieceWidth)) }
    break
  }
  return result
}

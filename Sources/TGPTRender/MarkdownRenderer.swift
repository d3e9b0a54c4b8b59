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
public struct MarkdownRenderer {
  /// The width new lines are laid out to (a resize changes it for the lines that follow).
  public var width: Int {
    didSet { width = max(width, 8) }
  }
  let theme: Theme
  let hyperlinks: Bool
  /// Applied under every style (dim for reasoning).
  let base: Style

  private var committed: [Row] = []
  /// The current line while it is classified, held whole, or is a line of code.
  private var buffer: [UInt8] = []
  private var state = LineState.start
  private var fence: Fence?
  private var table: [String]?
  /// Emphasis left open at the end of the last paragraph line, for the next one.
  private var paragraphEmphasis: InlineParser.Emphasis?
  /// Whether the prose line in progress is a plain paragraph line.
  private var lineIsParagraph = false
  /// The content column of each open list item, innermost last.
  private var lists: [ListLevel] = []

  private enum LineState {
    /// Reading the start of a line until it is clear what kind of line it is.
    case start
    case prose(LineLayout, InlineParser)
    /// A line inside a code block, coloured when complete.
    case code
    /// A line that must be seen whole first (a rule, a fence, a table row).
    case held
  }

  private struct Fence {
    var marker: Character
    var count: Int
    var indent: Int
    var highlighter: Highlighter
  }

  private struct ListLevel {
    /// The indentation of the item's marker in the source.
    var sourceIndent: Int
    /// The display column where the item's text starts.
    var contentColumn: Int
  }

  public init(width: Int, theme: Theme = .standard, hyperlinks: Bool = false, base: Style = .plain) {
    self.width = max(width, 8)
    self.theme = theme
    self.hyperlinks = hyperlinks
    self.base = base
  }

  // MARK: - Input

  /// Feeds answer text (already sanitised).
  public mutating func feed(_ text: String) {
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
  public mutating func finish() {
    if !buffer.isEmpty || !isAtLineStart { endLine() }
    flushTable()
    fence = nil
    lists.removeAll()
  }

  /// Takes the rows committed since the last call.
  public mutating func takeCommitted() -> [Row] {
    let rows = committed
    committed = []
    guard base != .plain else { return rows }
    return rows.map { row in row.map { Span($0.text, base.merged(with: $0.style), width: $0.width) } }
  }

  /// Whether nothing of the current line has been seen.
  private var isAtLineStart: Bool {
    if case .start = state { return buffer.isEmpty }
    return false
  }

  /// The row being written, provisional; nil when nothing of the current line is shown.
  public var openRow: Row? {
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
    return row.map { Span($0.text, base.merged(with: $0.style), width: $0.width) }
  }

  private mutating func feedPartial(_ piece: UnsafeBufferPointer<UInt8>) {
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

  private mutating func endLine() {
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

  // MARK: - Classifying a line

  /// Decides what the line in `buffer` is, as soon as its start makes it clear (or at its end).
  private mutating func classify(complete: Bool) {
    if fence != nil {
      // A line starting with the fence character could be the closing fence: see it whole.
      state = .code
      return
    }
    // More spaces may follow ("1.  item"): decide once something else arrives, so the result
    // does not depend on where a chunk ended.
    if !complete, buffer.last == 0x20 { return }
    let utf8 = buffer
    var index = utf8.startIndex
    var indent = 0
    while index != utf8.endIndex, utf8[index] == 0x20 || utf8[index] == 0x09 {
      indent += utf8[index] == 0x09 ? 4 : 1
      index = utf8.index(after: index)
    }
    if index == utf8.endIndex {
      if complete {
        flushTable()
        committed.append([])
        paragraphEmphasis = nil
        state = .start
      }
      return
    }
    if table != nil {
      if utf8[index] == UInt8(ascii: "|") {
        state = .held
        return
      }
      flushTable()
    }
    var quoteDepth = 0
    while index != utf8.endIndex, utf8[index] == UInt8(ascii: ">") {
      quoteDepth += 1
      index = utf8.index(after: index)
      if index != utf8.endIndex, utf8[index] == 0x20 { index = utf8.index(after: index) }
    }
    if quoteDepth > 0, index == utf8.endIndex, !complete { return }
    guard let kind = lineKind(from: index, complete: complete, indent: indent, quoted: quoteDepth > 0) else { return }
    switch kind {
    case .held:
      state = .held
    case .rule:
      lists.removeAll()
      paragraphEmphasis = nil
      var row: Row = quoteDepth > 0 ? [Span(String(repeating: "│ ", count: quoteDepth), theme.quoteBar)] : []
      row.append(Span(String(repeating: "─", count: max(1, width - row.width)), theme.rule))
      committed.append(row)
      buffer.removeAll(keepingCapacity: true)
      state = .start
    case .blockStart(let contentStart, let prefix, let rest, let style):
      startProse(
        contentStart: contentStart, firstPrefix: prefix, restPrefix: rest, style: style, quoteDepth: quoteDepth)
    }
  }

  private enum LineKind {
    case held
    /// A thematic break (`---`, `* * *`).
    case rule
    case blockStart(contentStart: Int, prefix: Row, rest: Row, style: Style)
  }

  private mutating func lineKind(from start: Int, complete: Bool, indent: Int, quoted: Bool) -> LineKind? {
    // Every marker is ASCII: look at bytes, not characters.
    let bytes = buffer[start...]
    func at(_ k: Int) -> UInt8? { start + k < buffer.count ? buffer[start + k] : nil }
    let space = UInt8(ascii: " ")
    guard let first = at(0) else { return complete ? paragraph(start, indent: indent, quoted: quoted) : nil }
    let marker = String(UnicodeScalar(first))

    switch first {
    case UInt8(ascii: "#"):
      var level = 0
      while at(level) == first { level += 1 }
      guard let after = at(level) else { return complete ? heading(start, level: level) : nil }
      guard level <= 6, after == space else { return paragraph(start, indent: indent, quoted: quoted) }
      // Headings are short: hold them whole so a closing "##" can be dropped.
      return quoted ? heading(start, level: level) : .held
    case UInt8(ascii: "`"), UInt8(ascii: "~"):
      var count = 0
      while at(count) == first { count += 1 }
      if count >= 3 { return quoted ? paragraph(start, indent: indent, quoted: quoted) : .held }
      if at(count) == nil, !complete { return nil }
      return paragraph(start, indent: indent, quoted: quoted)
    case UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "_"):
      // A rule is a line of only markers and spaces, so while that is all there is, wait;
      // the first other character decides: a list item (marker, space) or a paragraph.
      let plus = first == UInt8(ascii: "+")
      var k = 0
      var markers = 0
      while let c = at(k), c == first || c == space {
        if c == first { markers += 1 }
        k += 1
      }
      if at(k) == nil {
        if !complete { return nil }
        if markers >= 3, !plus { return .rule }
      }
      guard first != UInt8(ascii: "_"), at(1) == space || at(1) == nil else {
        return paragraph(start, indent: indent, quoted: quoted)
      }
      var content = 1
      while at(content) == space { content += 1 }
      if at(content) == UInt8(ascii: "[") {
        guard let box = at(content + 1), let close = at(content + 2), at(content + 3) != nil else {
          return complete ? listItem(start, marker: marker, indent: indent, quoted: quoted) : nil
        }
        if close == UInt8(ascii: "]"), box == space || box == UInt8(ascii: "x") || box == UInt8(ascii: "X") {
          return listItem(start, marker: marker, indent: indent, quoted: quoted, task: box != space)
        }
      }
      return listItem(start, marker: marker, indent: indent, quoted: quoted)
    case UInt8(ascii: "0")...UInt8(ascii: "9"):
      var k = 0
      while let c = at(k), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { k += 1 }
      guard let delimiter = at(k) else {
        return complete || k >= 10 ? paragraph(start, indent: indent, quoted: quoted) : nil
      }
      if k <= 9, delimiter == UInt8(ascii: ".") || delimiter == UInt8(ascii: ")") {
        guard let after = at(k + 1) else { return complete ? paragraph(start, indent: indent, quoted: quoted) : nil }
        if after == space {
          let number = String(decoding: bytes.prefix(k + 1), as: UTF8.self)
          return listItem(start, marker: number, indent: indent, quoted: quoted, ordered: true)
        }
      }
      return paragraph(start, indent: indent, quoted: quoted)
    case UInt8(ascii: "|"):
      return quoted ? paragraph(start, indent: indent, quoted: quoted) : .held
    default:
      return paragraph(start, indent: indent, quoted: quoted)
    }
  }

  private mutating func heading(_ start: Int, level: Int) -> LineKind {
    lists.removeAll()
    let utf8 = buffer
    var content = utf8.index(start, offsetBy: level)
    while content != utf8.endIndex, utf8[content] == 0x20 { content = utf8.index(after: content) }
    return .blockStart(contentStart: content, prefix: [], rest: [], style: theme.heading(level: level))
  }

  private mutating func paragraph(_ start: Int, indent: Int, quoted: Bool) -> LineKind {
    // An indented line inside a list continues the item it is indented under.
    var prefix: Row = []
    if indent > 0, let level = lists.last(where: { $0.sourceIndent < indent }) {
      prefix = [Span(String(repeating: " ", count: level.contentColumn))]
    } else if !quoted {
      lists.removeAll()
    }
    return .blockStart(contentStart: start, prefix: prefix, rest: prefix, style: .plain)
  }

  private mutating func listItem(
    _ start: Int, marker: String, indent: Int, quoted: Bool, ordered: Bool = false, task: Bool? = nil
  ) -> LineKind {
    while let last = lists.last, last.sourceIndent >= indent { lists.removeLast() }
    let depth = lists.count
    let indentColumn = lists.last.map { $0.contentColumn } ?? 0
    let utf8 = buffer
    var content = utf8.index(start, offsetBy: marker.utf8.count)
    while content != utf8.endIndex, utf8[content] == 0x20 { content = utf8.index(after: content) }
    var shown: String
    if ordered {
      shown = marker + " "
    } else {
      shown = ["•", "◦", "▪"][depth % 3] + " "
    }
    if let task {
      shown += task ? "☑ " : "☐ "
      content = utf8.index(content, offsetBy: 3)
      while content != utf8.endIndex, utf8[content] == 0x20 { content = utf8.index(after: content) }
    }
    let markerSpan = Span(shown, theme.bullet)
    lists.append(ListLevel(sourceIndent: indent, contentColumn: indentColumn + markerSpan.width))
    let lead = Span(String(repeating: " ", count: indentColumn))
    let first: Row = indentColumn > 0 ? [lead, markerSpan] : [markerSpan]
    let rest: Row = [Span(String(repeating: " ", count: indentColumn + markerSpan.width))]
    return .blockStart(contentStart: content, prefix: first, rest: rest, style: .plain)
  }

  private mutating func startProse(
    contentStart: Int, firstPrefix: Row, restPrefix: Row, style: Style, quoteDepth: Int
  ) {
    var first = firstPrefix
    var rest = restPrefix
    var inlineBase = style
    if quoteDepth > 0 {
      let bars = Span(String(repeating: "│ ", count: quoteDepth), theme.quoteBar)
      first.insert(bars, at: 0)
      rest.insert(bars, at: 0)
      inlineBase = inlineBase.merged(with: theme.quoteText)
    }
    var layout = LineLayout(width: width, firstPrefix: first, restPrefix: rest)
    // A plain paragraph line continues the emphasis the line before it left open.
    lineIsParagraph = quoteDepth == 0 && firstPrefix.isEmpty && style == .plain
    let carried = lineIsParagraph ? paragraphEmphasis ?? InlineParser.Emphasis() : InlineParser.Emphasis()
    paragraphEmphasis = nil
    var inline = InlineParser(theme: theme, base: inlineBase, hyperlinks: hyperlinks, emphasis: carried)
    buffer.withUnsafeBufferPointer { bytes in
      inline.feed(UnsafeBufferPointer(rebasing: bytes[contentStart...]), into: &layout)
    }
    committed.append(contentsOf: layout.takeCommitted())
    buffer.removeAll(keepingCapacity: true)
    state = .prose(layout, inline)
  }

  // MARK: - Whole lines: rules, fences, tables, code

  private mutating func endHeldLine() {
    let line = String(decoding: buffer, as: UTF8.self)
    let trimmed = line.drop { $0 == " " }
    let indent = line.count - trimmed.count
    if table != nil || trimmed.hasPrefix("|") {
      table = (table ?? []) + [line]
      if table!.count == 2, !TableLayout.isDelimiterRow(table![1]) { flushTable() }
      return
    }
    if let marker = trimmed.first, marker == "`" || marker == "~" {
      let count = trimmed.prefix { $0 == marker }.count
      let info = trimmed.dropFirst(count).trimmingSpaces
      if count >= 3, !(marker == "`" && info.contains("`")) {
        committed.append([Span(line, theme.fence)])
        fence = Fence(marker: marker, count: count, indent: indent, highlighter: Highlighter(info: info, theme: theme))
        return
      }
    }
    if trimmed.hasPrefix("#") {
      renderHeading(trimmed)
      return
    }
    renderAsProse(line)
  }

  /// A heading seen whole: its optional closing sequence of `#`s is dropped.
  private mutating func renderHeading(_ line: Substring) {
    let level = line.prefix { $0 == "#" }.count
    var content = line.dropFirst(level).drop { $0 == " " }
    while content.last == " " { content = content.dropLast() }
    let hashes = content.reversed().prefix { $0 == "#" }.count
    if hashes > 0, hashes == content.count || content.dropLast(hashes).last == " " {
      content = content.dropLast(hashes)
      while content.last == " " { content = content.dropLast() }
    }
    lists.removeAll()
    let savedBuffer = buffer
    let savedState = state
    buffer = Array(content.utf8)
    startProse(contentStart: 0, firstPrefix: [], restPrefix: [], style: theme.heading(level: level), quoteDepth: 0)
    finishProseLine()
    buffer = savedBuffer
    state = savedState
  }

  /// Ends the prose line in progress, committing its rows.
  private mutating func finishProseLine() {
    guard case .prose(var layout, var inline) = state else { return }
    state = .start
    let emphasis = inline.finishLine(into: &layout)
    layout.finish()
    committed.append(contentsOf: layout.takeCommitted())
    paragraphEmphasis = lineIsParagraph && emphasis.isOpen ? emphasis : nil
  }

  /// Renders a whole line through the prose path (a held line that turned out to be text).
  private mutating func renderAsProse(_ line: String) {
    // This runs while another line may be half read (a table ends when the next line starts).
    let savedBuffer = buffer
    let savedState = state
    buffer = Array(line.utf8)
    state = .start
    classifyAsParagraphOrItem()
    finishProseLine()
    buffer = savedBuffer
    state = savedState
  }

  private mutating func classifyAsParagraphOrItem() {
    let savedTable = table
    table = nil
    classify(complete: true)
    if case .held = state {
      // Still ambiguous as a whole line: it is plain text.
      let contentStart = buffer.firstIndex { $0 != 0x20 } ?? 0
      let kind = paragraph(contentStart, indent: contentStart, quoted: false)
      if case .blockStart(let start, let prefix, let rest, let style) = kind {
        startProse(contentStart: start, firstPrefix: prefix, restPrefix: rest, style: style, quoteDepth: 0)
      }
    }
    table = savedTable
  }

  private mutating func endCodeLine() {
    guard let current = fence else { return }
    if Self.isClosingFence(buffer, marker: current.marker, count: current.count) {
      committed.append([Span(String(decoding: buffer, as: UTF8.self), theme.fence)])
      fence = nil
      return
    }
    let line = expandTabs(stripIndent(buffer, current.indent))
    committed.append(codeIndent(current.indent) + fence!.highlighter.highlight(line))
  }

  /// Code inside a list item keeps the indentation its fence has.
  private func codeIndent(_ indent: Int) -> Row { indent > 0 ? [Span(String(repeating: " ", count: indent))] : [] }

  /// The most bytes of a line a preview needs: enough to fill the width, however wide the
  /// characters (so a long line costs nothing more per redraw).
  private var previewBytes: Int { width * 4 + 16 }

  /// Whether a line is a fence of at least `count` `marker`s and nothing else but spaces.
  private static func isClosingFence(_ line: [UInt8], marker: Character, count: Int) -> Bool {
    let byte = marker.asciiValue ?? 0
    let bytes = line.drop { $0 == 0x20 }
    let markers = bytes.prefix { $0 == byte }.count
    return markers >= count && bytes.dropFirst(markers).allSatisfy { $0 == 0x20 }
  }

  /// The line without up to `count` leading spaces (the fence's own indentation).
  private func stripIndent(_ line: [UInt8], _ count: Int) -> ArraySlice<UInt8> {
    guard count > 0 else { return line[...] }
    let spaces = line.prefix { $0 == 0x20 }.count
    return line.dropFirst(min(spaces, count))
  }

  private mutating func flushTable() {
    guard let rows = table else { return }
    table = nil
    if rows.count >= 2, TableLayout.isDelimiterRow(rows[1]) {
      let layout = TableLayout(lines: rows, width: width, theme: theme, hyperlinks: hyperlinks)
      committed.append(contentsOf: layout.rows())
    } else {
      for row in rows { renderAsProse(row) }
    }
  }
}

/// Cuts a row to `width` columns without splitting a grapheme.
func truncate(_ row: Row, to width: Int) -> Row {
  guard row.width > width else { return row }
  var result: Row = []
  var total = 0
  for span in row {
    if total + span.width <= width {
      result.append(span)
      total += span.width
      continue
    }
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

extension Substring {
  var trimmingSpaces: String {
    var slice = self
    while slice.first == " " || slice.first == "\t" { slice.removeFirst() }
    while slice.last == " " || slice.last == "\t" { slice.removeLast() }
    return String(slice)
  }
}

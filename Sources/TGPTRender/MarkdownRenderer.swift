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
  private var buffer = ""
  private var state = LineState.start
  private var fence: Fence?
  private var table: [String]?
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
    var rest = Substring(text)
    while let newline = rest.utf8.firstIndex(of: 0x0A) {
      feedPartial(rest[..<newline])
      endLine()
      rest = rest[rest.utf8.index(after: newline)...]
    }
    if !rest.isEmpty { feedPartial(rest) }
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
    defer { committed.removeAll(keepingCapacity: true) }
    guard base != .plain else { return committed }
    return committed.map { row in row.map { Span($0.text, base.merged(with: $0.style), width: $0.width) } }
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
      row = fence.highlighter.preview(expandTabs(stripIndent(buffer, fence.indent)))
    case .start, .held:
      guard !buffer.isEmpty else { return nil }
      row = [Span(buffer)]
    }
    row = truncate(row, to: width)
    guard !row.isEmpty else { return nil }
    guard base != .plain else { return row }
    return row.map { Span($0.text, base.merged(with: $0.style), width: $0.width) }
  }

  private mutating func feedPartial(_ piece: Substring) {
    switch state {
    case .prose(var layout, var inline):
      state = .start  // release the copies held in the enum so they are mutated in place
      inline.feed(piece, into: &layout)
      committed.append(contentsOf: layout.takeCommitted())
      state = .prose(layout, inline)
    case .code, .held:
      buffer += piece
    case .start:
      buffer += piece
      classify(complete: false)
    }
  }

  private mutating func endLine() {
    if case .start = state { classify(complete: true) }
    switch state {
    case .prose(var layout, var inline):
      state = .start
      inline.finishLine(into: &layout)
      layout.finish()
      committed.append(contentsOf: layout.takeCommitted())
    case .code:
      endCodeLine()
    case .held:
      endHeldLine()
    case .start:
      break
    }
    state = .start
    buffer = ""
  }

  // MARK: - Classifying a line

  /// Decides what the line in `buffer` is, as soon as its start makes it clear (or at its end).
  private mutating func classify(complete: Bool) {
    if fence != nil {
      // A line starting with the fence character could be the closing fence: see it whole.
      state = .code
      return
    }
    var index = buffer.startIndex
    var indent = 0
    while index != buffer.endIndex, buffer[index] == " " || buffer[index] == "\t" {
      indent += buffer[index] == "\t" ? 4 : 1
      index = buffer.index(after: index)
    }
    if index == buffer.endIndex {
      if complete {
        flushTable()
        committed.append([])
        state = .start
      }
      return
    }
    if table != nil {
      if buffer[index] == "|" {
        state = .held
        return
      }
      flushTable()
    }
    var quoteDepth = 0
    while index != buffer.endIndex, buffer[index] == ">" {
      quoteDepth += 1
      index = buffer.index(after: index)
      if index != buffer.endIndex, buffer[index] == " " { index = buffer.index(after: index) }
    }
    if quoteDepth > 0, index == buffer.endIndex, !complete { return }
    guard let kind = lineKind(from: index, complete: complete, indent: indent, quoted: quoteDepth > 0) else { return }
    switch kind {
    case .held:
      state = .held
    case .blockStart(let contentStart, let prefix, let rest, let style):
      startProse(
        contentStart: contentStart, firstPrefix: prefix, restPrefix: rest, style: style, quoteDepth: quoteDepth)
    }
  }

  private enum LineKind {
    case held
    case blockStart(contentStart: String.Index, prefix: Row, rest: Row, style: Style)
  }

  private mutating func lineKind(from start: String.Index, complete: Bool, indent: Int, quoted: Bool) -> LineKind? {
    let text = buffer[start...]
    let chars = Array(text.prefix(8))
    func at(_ k: Int) -> Character? { k < chars.count ? chars[k] : nil }
    guard let first = at(0) else { return complete ? paragraph(start, indent: indent, quoted: quoted) : nil }

    switch first {
    case "#":
      var level = 0
      while at(level) == "#" { level += 1 }
      guard let after = at(level) else { return complete ? heading(start, level: level) : nil }
      if level <= 6, after == " " { return heading(start, level: level) }
      return paragraph(start, indent: indent, quoted: quoted)
    case "`", "~":
      var count = 0
      while at(count) == first { count += 1 }
      if count >= 3 { return quoted ? paragraph(start, indent: indent, quoted: quoted) : .held }
      if at(count) == nil, !complete { return nil }
      return paragraph(start, indent: indent, quoted: quoted)
    case "-", "*", "+", "_":
      guard let second = at(1) else {
        if !complete { return nil }
        return first == "_"
          ? paragraph(start, indent: indent, quoted: quoted)
          : listItem(start, marker: String(first), indent: indent, quoted: quoted)
      }
      if first != "_", second == " " {
        // "- - -" is a rule, "- [ ]" a task: look one step further.
        var k = 2
        while at(k) == " " { k += 1 }
        guard let third = at(k) else {
          return complete ? listItem(start, marker: String(first), indent: indent, quoted: quoted) : nil
        }
        if third == first, first != "+" { return .held }
        if third == "[" {
          guard let box = at(k + 1), let close = at(k + 2), let space = at(k + 3) else {
            return complete ? listItem(start, marker: String(first), indent: indent, quoted: quoted) : nil
          }
          _ = space
          if close == "]", box == " " || box == "x" || box == "X" {
            return listItem(start, marker: String(first), indent: indent, quoted: quoted, task: box != " ")
          }
        }
        return listItem(start, marker: String(first), indent: indent, quoted: quoted)
      }
      if second == first, first != "+" {
        guard let third = at(2) else { return complete ? paragraph(start, indent: indent, quoted: quoted) : nil }
        if third == first || third == " " { return .held }
      }
      return paragraph(start, indent: indent, quoted: quoted)
    case "0"..."9":
      var k = 0
      while let c = at(k), c.isASCII, c.isNumber { k += 1 }
      guard let delimiter = at(k) else {
        return complete || k >= 8 ? paragraph(start, indent: indent, quoted: quoted) : nil
      }
      if k <= 9, delimiter == "." || delimiter == ")" {
        guard let space = at(k + 1) else { return complete ? paragraph(start, indent: indent, quoted: quoted) : nil }
        if space == " " {
          return listItem(start, marker: String(chars[0...k]), indent: indent, quoted: quoted, ordered: true)
        }
      }
      return paragraph(start, indent: indent, quoted: quoted)
    case "|":
      return quoted ? paragraph(start, indent: indent, quoted: quoted) : .held
    default:
      return paragraph(start, indent: indent, quoted: quoted)
    }
  }

  private mutating func heading(_ start: String.Index, level: Int) -> LineKind {
    lists.removeAll()
    var content = buffer.index(start, offsetBy: level)
    while content != buffer.endIndex, buffer[content] == " " { content = buffer.index(after: content) }
    return .blockStart(contentStart: content, prefix: [], rest: [], style: theme.heading(level: level))
  }

  private mutating func paragraph(_ start: String.Index, indent: Int, quoted: Bool) -> LineKind {
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
    _ start: String.Index, marker: String, indent: Int, quoted: Bool, ordered: Bool = false, task: Bool? = nil
  ) -> LineKind {
    while let last = lists.last, last.sourceIndent >= indent { lists.removeLast() }
    let depth = lists.count
    let indentColumn = lists.last.map { $0.contentColumn } ?? 0
    var content = buffer.index(start, offsetBy: marker.count)
    while content != buffer.endIndex, buffer[content] == " " { content = buffer.index(after: content) }
    var shown: String
    if ordered {
      shown = marker + " "
    } else {
      shown = ["•", "◦", "▪"][depth % 3] + " "
    }
    if let task {
      shown += task ? "☑ " : "☐ "
      content = buffer.index(content, offsetBy: 3)
      while content != buffer.endIndex, buffer[content] == " " { content = buffer.index(after: content) }
    }
    let markerSpan = Span(shown, theme.bullet)
    lists.append(ListLevel(sourceIndent: indent, contentColumn: indentColumn + markerSpan.width))
    let lead = Span(String(repeating: " ", count: indentColumn))
    let first: Row = indentColumn > 0 ? [lead, markerSpan] : [markerSpan]
    let rest: Row = [Span(String(repeating: " ", count: indentColumn + markerSpan.width))]
    return .blockStart(contentStart: content, prefix: first, rest: rest, style: .plain)
  }

  private mutating func startProse(
    contentStart: String.Index, firstPrefix: Row, restPrefix: Row, style: Style, quoteDepth: Int
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
    var inline = InlineParser(theme: theme, base: inlineBase, hyperlinks: hyperlinks)
    inline.feed(buffer[contentStart...], into: &layout)
    committed.append(contentsOf: layout.takeCommitted())
    buffer = ""
    state = .prose(layout, inline)
  }

  // MARK: - Whole lines: rules, fences, tables, code

  private mutating func endHeldLine() {
    let line = buffer
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
    if let marker = trimmed.first, "-*_".contains(marker),
      trimmed.allSatisfy({ $0 == marker || $0 == " " }), trimmed.filter({ $0 == marker }).count >= 3
    {
      lists.removeAll()
      committed.append([Span(String(repeating: "─", count: width), theme.rule)])
      return
    }
    renderAsProse(line)
  }

  /// Renders a whole line through the prose path (a held line that turned out to be text).
  private mutating func renderAsProse(_ line: String) {
    // This runs while another line may be half read (a table ends when the next line starts).
    let savedBuffer = buffer
    let savedState = state
    buffer = line
    state = .start
    classifyAsParagraphOrItem()
    if case .prose(var layout, var inline) = state {
      state = .start
      inline.finishLine(into: &layout)
      layout.finish()
      committed.append(contentsOf: layout.takeCommitted())
    }
    buffer = savedBuffer
    state = savedState
  }

  private mutating func classifyAsParagraphOrItem() {
    let savedTable = table
    table = nil
    classify(complete: true)
    if case .held = state {
      // Still ambiguous as a whole line: it is plain text.
      let trimmedStart = buffer.firstIndex { $0 != " " } ?? buffer.startIndex
      let kind = paragraph(
        trimmedStart, indent: buffer.distance(from: buffer.startIndex, to: trimmedStart), quoted: false)
      if case .blockStart(let contentStart, let prefix, let rest, let style) = kind {
        startProse(contentStart: contentStart, firstPrefix: prefix, restPrefix: rest, style: style, quoteDepth: 0)
      }
    }
    table = savedTable
  }

  private mutating func endCodeLine() {
    guard var current = fence else { return }
    let trimmed = buffer.drop { $0 == " " }
    if trimmed.first == current.marker, trimmed.prefix(while: { $0 == current.marker }).count >= current.count,
      trimmed.drop(while: { $0 == current.marker }).allSatisfy({ $0 == " " })
    {
      committed.append([Span(buffer, theme.fence)])
      fence = nil
      return
    }
    committed.append(current.highlighter.highlight(expandTabs(stripIndent(buffer, current.indent))))
    fence = current
  }

  private func stripIndent(_ line: String, _ count: Int) -> String {
    guard count > 0 else { return line }
    let spaces = line.prefix { $0 == " " }.count
    return String(line.dropFirst(min(spaces, count)))
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

/// Deciding what kind of Markdown line is being read, as early as its start allows.
extension MarkdownRenderer {
  // MARK: - Classifying a line

  /// Decides what the line in `buffer` is, as soon as its start makes it clear (or at its end).
  mutating func classify(complete: Bool) {
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

  enum LineKind {
    case held
    /// A thematic break (`---`, `* * *`).
    case rule
    case blockStart(contentStart: Int, prefix: Row, rest: Row, style: Style)
  }

  mutating func lineKind(from start: Int, complete: Bool, indent: Int, quoted: Bool) -> LineKind? {
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

  mutating func heading(_ start: Int, level: Int) -> LineKind {
    lists.removeAll()
    let utf8 = buffer
    var content = utf8.index(start, offsetBy: level)
    while content != utf8.endIndex, utf8[content] == 0x20 { content = utf8.index(after: content) }
    return .blockStart(contentStart: content, prefix: [], rest: [], style: theme.heading(level: level))
  }

  mutating func paragraph(_ start: Int, indent: Int, quoted: Bool) -> LineKind {
    // An indented line inside a list continues the item it is indented under.
    var prefix: Row = []
    if indent > 0, let level = lists.last(where: { $0.sourceIndent < indent }) {
      prefix = [Span(String(repeating: " ", count: level.contentColumn), .plain, width: level.contentColumn)]
    } else if !quoted {
      lists.removeAll()
    }
    return .blockStart(contentStart: start, prefix: prefix, rest: prefix, style: .plain)
  }

  mutating func listItem(
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
    let lead = Span(String(repeating: " ", count: indentColumn), .plain, width: indentColumn)
    let first: Row = indentColumn > 0 ? [lead, markerSpan] : [markerSpan]
    let restWidth = indentColumn + markerSpan.width
    let rest: Row = [Span(String(repeating: " ", count: restWidth), .plain, width: restWidth)]
    return .blockStart(contentStart: content, prefix: first, rest: rest, style: .plain)
  }

  mutating func startProse(
    contentStart: Int, firstPrefix: Row, restPrefix: Row, style: Style, quoteDepth: Int
  ) {
    var first = firstPrefix
    var rest = restPrefix
    var inlineBase = style
    if quoteDepth > 0 {
      let bars = Span(String(repeating: "│ ", count: quoteDepth), theme.quoteBar)
      first = [bars] + first
      rest = [bars] + rest
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
}

import TGPTEvents

/// Lines seen whole before they are shown: fences, tables, headings, and lines of code.
extension MarkdownRenderer {
  // MARK: - Whole lines: rules, fences, tables, code

  mutating func endHeldLine() {
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
      let info = trimmed.dropFirst(count).trimmingSpacesAndTabs
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
  mutating func renderHeading(_ line: Substring) {
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
  mutating func finishProseLine() {
    guard case .prose(var layout, var inline) = state else { return }
    state = .start
    let emphasis = inline.finishLine(into: &layout)
    layout.finish()
    committed.append(contentsOf: layout.takeCommitted())
    paragraphEmphasis = lineIsParagraph && emphasis.isOpen ? emphasis : nil
  }

  /// Renders a whole line through the prose path (a held line that turned out to be text).
  mutating func renderAsProse(_ line: String) {
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

  mutating func classifyAsParagraphOrItem() {
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

  mutating func endCodeLine() {
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
  func codeIndent(_ indent: Int) -> Row { indent > 0 ? [Span(String(repeating: " ", count: indent))] : [] }

  /// The most bytes of a line a preview needs: enough to fill the width, however wide the
  /// characters (so a long line costs nothing more per redraw).
  var previewBytes: Int { width * 4 + 16 }

  /// Whether a line is a fence of at least `count` `marker`s and nothing else but spaces.
  static func isClosingFence(_ line: [UInt8], marker: Character, count: Int) -> Bool {
    let byte = marker.asciiValue ?? 0
    let bytes = line.drop { $0 == 0x20 }
    let markers = bytes.prefix { $0 == byte }.count
    return markers >= count && bytes.dropFirst(markers).allSatisfy { $0 == 0x20 }
  }

  /// The line without up to `count` leading spaces (the fence's own indentation).
  func stripIndent(_ line: [UInt8], _ count: Int) -> ArraySlice<UInt8> {
    guard count > 0 else { return line[...] }
    let spaces = line.prefix { $0 == 0x20 }.count
    return line.dropFirst(min(spaces, count))
  }

  mutating func flushTable() {
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

/// Lays out a GFM table that has ended: columns sized to their content, shrunk (widest first,
/// never below the longest word) to fit the width, text wrapped inside cells, aligned as the
/// delimiter row says. When even that cannot fit, each row is shown as `header: value` lines.
struct TableLayout {
  enum Alignment { case left, center, right }

  private let alignments: [Alignment]
  private let width: Int
  private let theme: Theme
  private let hyperlinks: Bool
  private let headerCells: [String]
  private let bodyCells: [[String]]

  init(lines: [String], width: Int, theme: Theme, hyperlinks: Bool) {
    self.width = width
    self.theme = theme
    self.hyperlinks = hyperlinks
    headerCells = Self.cells(lines[0])
    let columns = headerCells.count
    alignments =
      Self.cells(lines[1]).map { cell in
        let trimmed = cell.trimmingCharacters
        switch (trimmed.hasPrefix(":"), trimmed.hasSuffix(":")) {
        case (true, true): return .center
        case (false, true): return .right
        default: return .left
        }
      } + Array(repeating: .left, count: max(0, columns - Self.cells(lines[1]).count))
    bodyCells = lines.dropFirst(2).map { line in
      let cells = Self.cells(line)
      return Array(cells.prefix(columns)) + Array(repeating: "", count: max(0, columns - cells.count))
    }
  }

  /// Whether a line is a delimiter row (`|---|:--:|`).
  static func isDelimiterRow(_ line: String) -> Bool {
    let cells = cells(line)
    return !cells.isEmpty
      && cells.allSatisfy { cell in
        let trimmed = cell.trimmingCharacters
        let core = trimmed.drop { $0 == ":" }.reversed().drop { $0 == ":" }
        return !core.isEmpty && core.allSatisfy { $0 == "-" }
      }
  }

  /// Splits a row into cells: unescaped `|` outside code spans, outer pipes dropped.
  static func cells(_ line: String) -> [String] {
    var line = line
    if let cells = line.withUTF8({ $0.allSatisfy { $0 < 0x80 } ? asciiCells($0) : nil }) { return cells }
    var cells: [String] = []
    var current = ""
    var inCode = false
    var escaped = false
    for character in line.trimmingCharacters {
      if escaped {
        if character != "|" { current.append("\\") }
        current.append(character)
        escaped = false
        continue
      }
      switch character {
      case "\\": escaped = true
      case "`":
        inCode.toggle()
        current.append(character)
      case "|" where !inCode:
        cells.append(current)
        current = ""
      default: current.append(character)
      }
    }
    if escaped { current.append("\\") }
    cells.append(current)
    if line.trimmingCharacters.hasPrefix("|") { cells.removeFirst() }
    if line.trimmingCharacters.hasSuffix("|"), cells.count > 1 || !line.trimmingCharacters.hasPrefix("|") {
      cells.removeLast()
    }
    return cells.map { $0.trimmingCharacters }
  }

  /// The rows of the laid-out table.
  func rows() -> [Row] {
    let columns = headerCells.count
    guard columns > 0 else { return [] }
    let all = [headerCells] + bodyCells
    var natural = Array(repeating: 1, count: columns)
    var minimum = Array(repeating: 1, count: columns)
    // Each cell laid out unwrapped, in its own style: kept for the columns that stay that wide.
    var unwrapped: [[[Row]]] = []
    for (line, row) in all.enumerated() {
      unwrapped.append([])
      for (index, cell) in row.enumerated() {
        let rows = render(cell, width: Int.max / 4, style: line == 0 ? theme.tableHeader : .plain)
        unwrapped[line].append(rows)
        natural[index] = max(natural[index], rows.map(\.width).max() ?? 0)
        // The longest word as shown (a link's address or backticks do not count).
        let longestWord = Self.longestWord(rows)
        minimum[index] = max(minimum[index], min(longestWord, 24))
      }
    }
    let separators = 3 * (columns - 1)
    var widths = natural
    while widths.reduce(0, +) + separators > width {
      guard let widest = widths.indices.filter({ widths[$0] > minimum[$0] }).max(by: { widths[$0] < widths[$1] }) else {
        return keyValueRows()
      }
      widths[widest] -= 1
    }
    var rows: [Row] = []
    rows.append(contentsOf: tableRow(headerCells, widths: widths, style: theme.tableHeader, unwrapped: unwrapped[0]))
    let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─")
    rows.append([Span(rule, theme.tableBorder)])
    for (index, cells) in bodyCells.enumerated() {
      rows.append(contentsOf: tableRow(cells, widths: widths, style: .plain, unwrapped: unwrapped[index + 1]))
    }
    return rows
  }

  /// One table row's rows. A cell that fits its column unwrapped is laid out the same at the
  /// column's width (a row breaks only where a character would pass the width), so its
  /// unwrapped rows are used as they are.
  private func tableRow(_ cells: [String], widths: [Int], style: Style, unwrapped: [[Row]]) -> [Row] {
    let wrapped = cells.enumerated().map { index, cell in
      let rows = unwrapped[index]
      if rows.count <= 1, (rows.first?.width ?? 0) <= widths[index] { return rows }
      return render(cell, width: widths[index], style: style)
    }
    let height = wrapped.map(\.count).max() ?? 1
    var rows: [Row] = []
    for line in 0..<height {
      var row: Row = []
      for column in 0..<cells.count {
        if column > 0 { row.append(Span(" │ ", theme.tableBorder)) }
        let content = line < wrapped[column].count ? wrapped[column][line] : []
        let gap = max(0, widths[column] - content.width)
        let isLast = column == cells.count - 1
        switch alignments[column] {
        case .left:
          row.append(contentsOf: content)
          if !isLast, gap > 0 { row.append(Span(String(repeating: " ", count: gap))) }
        case .right:
          if gap > 0 { row.append(Span(String(repeating: " ", count: gap))) }
          row.append(contentsOf: content)
        case .center:
          if gap / 2 > 0 { row.append(Span(String(repeating: " ", count: gap / 2))) }
          row.append(contentsOf: content)
          if !isLast, gap - gap / 2 > 0 { row.append(Span(String(repeating: " ", count: gap - gap / 2))) }
        }
      }
      // No trailing spaces: they would end up in whatever is copied from the terminal.
      while let last = row.last, last.style == .plain, last.text.allSatisfy({ $0 == " " }) { row.removeLast() }
      rows.append(row)
    }
    return rows
  }

  /// Each body row as `header: value` lines, for tables too wide to lay out as columns.
  private func keyValueRows() -> [Row] {
    var rows: [Row] = []
    for (index, cells) in bodyCells.enumerated() {
      if index > 0 { rows.append([]) }
      for (column, cell) in cells.enumerated() {
        // The label is laid out with the value, so a long one wraps too.
        var layout = LineLayout(width: width, restPrefix: [Span("  ")])
        var label = InlineParser(theme: theme, base: theme.tableHeader, hyperlinks: hyperlinks)
        var labelText = headerCells[column] + ":"
        labelText.withUTF8 { label.feed($0, into: &layout) }
        label.finishLine(into: &layout)
        var inline = InlineParser(theme: theme, base: .plain, hyperlinks: hyperlinks)
        var text = " " + cell
        text.withUTF8 { inline.feed($0, into: &layout) }
        inline.finishLine(into: &layout)
        layout.finish()
        rows.append(contentsOf: layout.takeCommitted())
      }
    }
    return rows
  }

  /// A cell's Markdown rendered and wrapped to `width`.
  private func render(_ cell: String, width: Int, style: Style) -> [Row] {
    var layout = LineLayout(width: max(width, 1))
    var inline = InlineParser(theme: theme, base: style, hyperlinks: hyperlinks)
    var text = cell
    text.withUTF8 { inline.feed($0, into: &layout) }
    inline.finishLine(into: &layout)
    layout.finish()
    return layout.takeCommitted()
  }
}

extension StringProtocol {
  var trimmingCharacters: String {
    var slice = Substring(self)
    while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
    return String(slice)
  }
}

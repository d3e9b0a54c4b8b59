/// Turns rows into terminal bytes.
///
/// `live` (a terminal): committed rows are written once; the open row is drawn after them and
/// redrawn in place — a carriage return and erase-to-end-of-line, never padding — or, when the
/// new open row extends what is shown, only the new part is written. `appendOnly` (styled
/// output into a pipe or file): only committed rows, so the bytes never move backwards.
package struct TerminalWriter {
  package enum Mode: Sendable { case live, appendOnly }

  package let mode: Mode
  package let hyperlinks: Bool
  /// What is drawn in the open row now.
  private var shown: Row = []

  package init(mode: Mode, hyperlinks: Bool) {
    self.mode = mode
    self.hyperlinks = hyperlinks
  }

  /// Whether an open row is on screen (the cursor is not at the start of a line).
  package var hasOpenRow: Bool { !shown.isEmpty }

  /// Appends the bytes that show `committed` rows and then `open`.
  package mutating func write(committed: [Row], open: Row?, into out: inout [UInt8]) {
    var rows = committed[...]
    if let first = rows.first, !shown.isEmpty {
      if let rest = Self.remainder(of: first, after: shown) {
        encode(rest, into: &out)
      } else {
        out.append(contentsOf: Self.clearLine)
        encode(first, into: &out)
      }
      out.append(0x0A)
      shown = []
      rows = rows.dropFirst()
    }
    for row in rows {
      encode(row, into: &out)
      out.append(0x0A)
    }
    guard mode == .live else { return }
    let next = open ?? []
    if next == shown { return }
    if let rest = Self.remainder(of: next, after: shown) {
      encode(rest, into: &out)
    } else {
      out.append(contentsOf: Self.clearLine)
      encode(next, into: &out)
    }
    shown = next
  }

  /// Leaves the terminal clean: attributes reset, hyperlink closed, cursor at the start of a
  /// line (the open row, if any, is kept and ended).
  package mutating func close(into out: inout [UInt8]) {
    if !shown.isEmpty {
      out.append(contentsOf: Self.reset)
      out.append(0x0A)
      shown = []
    }
  }

  static let clearLine: [UInt8] = [0x0D, 0x1B, 0x5B, 0x4B]  // CR, ESC [ K
  static let reset: [UInt8] = [0x1B, 0x5B, 0x30, 0x6D]  // ESC [ 0 m
  static let linkClose: [UInt8] = [0x1B, 0x5D, 0x38, 0x3B, 0x3B, 0x1B, 0x5C]  // ESC ] 8 ; ; ESC \

  /// The part of `row` after `prefix`, when `row` starts with exactly what `prefix` shows.
  static func remainder(of row: Row, after prefix: Row) -> Row? {
    guard !prefix.isEmpty else { return row }
    guard row.count >= prefix.count else { return nil }
    let last = prefix.count - 1
    for index in 0..<last where row.runs[index] != prefix.runs[index] { return nil }
    // The runs before the last one are equal, so they start at the same byte.
    guard row.bytes[..<prefix.start(of: last)] == prefix.bytes[..<prefix.start(of: last)] else { return nil }
    let head = prefix[last]
    let candidate = row[last]
    guard candidate.style == head.style, candidate.text.hasPrefix(head.text) else { return nil }
    var rest: Row = []
    let tail = String(candidate.text.dropFirst(head.text.count))
    if !tail.isEmpty { rest.append(Span(tail, candidate.style, width: candidate.width - head.width)) }
    for index in (last + 1)..<row.count { rest.append(row[index]) }
    return rest
  }

  /// Encodes a row's runs with the SGR and OSC 8 sequences they need, ending in the default style.
  private func encode(_ row: Row, into out: inout [UInt8]) {
    var styled = false
    var link: UInt32 = 0
    var start = 0
    for run in row.runs {
      if run.style.isPlainSGR {
        if styled {
          out.append(contentsOf: Self.reset)
          styled = false
        }
      } else {
        out.append(contentsOf: Style.sgrSequences[run.style.sgrIndex])
        styled = true
      }
      let wanted = hyperlinks ? run.style.linkID : 0
      if wanted != link {
        if link != 0 { out.append(contentsOf: Self.linkClose) }
        if wanted != 0 {
          out.append(contentsOf: [0x1B, 0x5D, 0x38, 0x3B, 0x3B])
          out.append(contentsOf: LinkTable.url(wanted).utf8)
          out.append(contentsOf: [0x1B, 0x5C])
        }
        link = wanted
      }
      row.bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<run.end])) }
      start = run.end
    }
    if link != 0 { out.append(contentsOf: Self.linkClose) }
    if styled { out.append(contentsOf: Self.reset) }
  }
}

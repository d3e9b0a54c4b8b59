/// Lays out one source line of prose into rows no wider than `width`, breaking at spaces and
/// around wide (CJK) characters, with a first-row prefix (a bullet, a quote bar) and a hanging
/// indent for the rows after it. Rows that fill are committed; the last row stays open.
///
/// The text is kept as UTF-8 bytes with style runs, and spans are made only for rows that are
/// committed, so the cost per byte is a few comparisons. Decisions depend only on the text,
/// never on how it was split into calls: a grapheme cluster is measured only once the byte
/// after it is known (a boundary always precedes an ASCII byte), so a skin tone or a flag cut
/// between two chunks is measured whole.
struct LineLayout {
  let width: Int
  private let restPrefix: Row
  private let restPrefixWidth: Int
  /// Rows completed and not yet taken.
  private var committed: [Row] = []

  private var prefix: Row
  private var prefixWidth: Int
  /// The visible text of the line, UTF-8.
  private var text: [UInt8] = []
  /// Style changes: each run starts at `start` and lasts until the next one.
  private var runs: [(start: Int, style: Style)] = []
  /// Bytes of `text` already measured and placed.
  private var measured = 0
  /// Where the current row's text starts, and its width so far.
  private var rowStart = 0
  private var rowWidth = 0
  /// The last place the row may break: the row would end at `end` (before the spaces there)
  /// and the next one start at `resume` with `resumeWidth` of the row's width already behind it.
  private var breakPoint: (end: Int, resume: Int, resumeWidth: Int)?
  /// Whether the bytes before `measured` end in a run of spaces that began at `spaceStart`.
  private var spaceStart: Int?

  init(width: Int, firstPrefix: Row = [], restPrefix: Row = []) {
    self.width = max(width, 1)
    self.restPrefix = restPrefix
    restPrefixWidth = restPrefix.width
    prefix = firstPrefix
    prefixWidth = firstPrefix.width
  }

  /// Takes the committed rows.
  mutating func takeCommitted() -> [Row] {
    let rows = committed
    committed = []
    return rows
  }

  /// Whether any tab was added (tabs show as spaces).
  private var hasTabs = false

  /// Adds UTF-8 text in one style.
  mutating func add(_ piece: UnsafeBufferPointer<UInt8>, _ style: Style) {
    guard !piece.isEmpty else { return }
    if !hasTabs, piece.contains(0x09) { hasTabs = true }
    if runs.last?.style != style { runs.append((text.count, style)) }
    text.append(contentsOf: piece)
    measure(upTo: lastGraphemeStart())
  }

  /// Where the last grapheme of the text starts: everything before it is complete, the last one
  /// may still grow with the next piece (a skin tone, a combining accent).
  private func lastGraphemeStart() -> Int {
    let end = text.count
    if text[end - 1] < 0x80 { return end - 1 }
    let tail = String(decoding: text[measured..<end], as: UTF8.self)
    guard let last = tail.indices.last else { return measured }
    return measured + tail.utf8.distance(from: tail.startIndex, to: last)
  }

  /// Ends the line: the last row is committed (a line with no words still yields its prefix).
  mutating func finish() {
    measure(upTo: text.count)
    commit(upTo: trimmedEnd(text.count))
  }

  /// The row being filled, cut to the width: what to show provisionally.
  var openRow: Row {
    var copy = self
    copy.measure(upTo: copy.text.count)
    let end = copy.measured
    var row = copy.prefix
    copy.appendSpans(copy.rowStart, end, to: &row)
    return truncate(row, to: width)
  }

  // MARK: - Measuring and breaking

  private var available: Int { max(1, width - prefixWidth) }

  private mutating func measure(upTo end: Int) {
    var i = measured
    while i < end {
      let byte = text[i]
      if byte < 0x80,
        i + 1 >= end || text[i + 1] < 0x80 || DisplayWidth.plainCharacter(text, at: i + 1, end: end) != nil
      {
        if byte > 0x20, byte != 0x7F, spaceStart == nil, rowWidth < available {
          // The common case, inlined: a visible ASCII character inside a word that fits.
          rowWidth += 1
        } else {
          place(i, i + 1, width: byte == 0x20 || byte == 0x09 ? -1 : (byte >= 0x20 && byte != 0x7F ? 1 : 0))
        }
        i += 1
        continue
      }
      if let plain = DisplayWidth.plainGrapheme(text, at: i, end: end) {
        // A grapheme of its own (CJK, kana, box drawing, …): as the stretch below would place it.
        if plain.width == 2 { markBreak(at: i, resume: i) }
        place(i, i + plain.length, width: plain.width)
        if plain.width == 2 { markBreak(at: i + plain.length, resume: i + plain.length) }
        i += plain.length
        continue
      }
      // A stretch with non-ASCII: it ends before the next ASCII byte, which starts a grapheme.
      var stretchEnd = i + 1
      while stretchEnd < end, text[stretchEnd] >= 0x80 { stretchEnd += 1 }
      let stretch = String(decoding: text[i..<stretchEnd], as: UTF8.self)
      var offset = i
      for character in stretch {
        let length = character.utf8.count
        if character == " " || character == "\t" {
          place(offset, offset + length, width: -1)
          offset += length
          continue
        }
        let characterWidth = DisplayWidth.of(character)
        if characterWidth == 2 {
          markBreak(at: offset, resume: offset)
          place(offset, offset + length, width: 2)
          markBreak(at: offset + length, resume: offset + length)
        } else {
          place(offset, offset + length, width: characterWidth)
        }
        offset += length
      }
      i = stretchEnd
    }
    measured = end
    compact()
  }

  /// Places one grapheme `[start, end)`; width -1 marks a space.
  private mutating func place(_ start: Int, _ end: Int, width characterWidth: Int) {
    if characterWidth < 0 {
      if rowWidth == 0, start == rowStart {
        // Spaces at the start of a wrapped row are dropped.
        if !committed.isEmpty || prefix.isEmpty == false && rowStart > 0 {
          rowStart = end
          return
        }
      }
      if spaceStart == nil {
        spaceStart = start
        breakPoint = (start, end, rowWidth + 1)
      } else {
        breakPoint = (spaceStart!, end, rowWidth + 1)
      }
      rowWidth += 1
      return
    }
    spaceStart = nil
    if rowWidth + characterWidth > available {
      if let point = breakPoint, point.end > rowStart {
        commit(upTo: point.end)
        rowStart = point.resume
        rowWidth -= point.resumeWidth
      } else if rowWidth > 0 {
        commit(upTo: start)
        rowStart = start
        rowWidth = 0
      }
    }
    rowWidth += characterWidth
  }

  private mutating func markBreak(at end: Int, resume: Int) {
    // Right after spaces, the break before them (which drops them) is the better one.
    guard spaceStart == nil else { return }
    if end > rowStart { breakPoint = (end, resume, rowWidth) }
  }

  /// Commits the row `[rowStart, end)` and starts the next with the hanging indent.
  private mutating func commit(upTo end: Int) {
    var row = prefix
    let textEnd = trimmedEnd(end)
    row.reserve(bytes: max(0, textEnd - rowStart), runs: runs.count + 1)
    appendSpans(rowStart, textEnd, to: &row)
    committed.append(row)
    prefix = restPrefix
    prefixWidth = restPrefixWidth
    breakPoint = nil
    spaceStart = nil
  }

  /// `end` without the spaces before it.
  private func trimmedEnd(_ end: Int) -> Int {
    var result = end
    while result > rowStart, text[result - 1] == 0x20 || text[result - 1] == 0x09 { result -= 1 }
    return result
  }

  /// Appends the styled spans of `text[start..<end]` to `result`.
  private func appendSpans(_ start: Int, _ end: Int, to result: inout Row) {
    guard start < end else { return }
    var low = 0
    var high = runs.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if runs[middle].start <= start { low = middle } else { high = middle - 1 }
    }
    var index = low
    var position = start
    while position < end {
      let runEnd = index + 1 < runs.count ? min(runs[index + 1].start, end) : end
      if runEnd > position {
        let piece = text[position..<runEnd]
        var ascii = true
        for byte in piece where byte >= 0x80 {
          ascii = false
          break
        }
        let hasTab = hasTabs && piece.contains(0x09)
        // Tabs show as one space (the layout counted them as one column).
        let shown = hasTab ? ArraySlice(piece.map { $0 == 0x09 ? 0x20 : $0 }) : piece
        let width = ascii ? runEnd - position : DisplayWidth.of(utf8: shown)
        result.appendMerging(shown, runs[index].style, width: width)
      }
      position = runEnd
      index += 1
    }
  }

  /// Drops bytes before the current row once there are many, so a very long line keeps a
  /// bounded buffer.
  private mutating func compact() {
    guard rowStart > 1 << 16 else { return }
    let shift = min(rowStart, breakPoint.map { min($0.end, $0.resume) } ?? rowStart, spaceStart ?? rowStart)
    guard shift > 0 else { return }
    text.removeFirst(shift)
    measured -= shift
    rowStart -= shift
    if let point = breakPoint { breakPoint = (point.end - shift, point.resume - shift, point.resumeWidth) }
    spaceStart = spaceStart.map { $0 - shift }
    var kept: [(start: Int, style: Style)] = []
    for (index, run) in runs.enumerated() {
      let nextStart = index + 1 < runs.count ? runs[index + 1].start : Int.max
      if nextStart > shift { kept.append((max(0, run.start - shift), run.style)) }
    }
    runs = kept
  }
}

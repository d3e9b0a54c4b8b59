/// One row of terminal output: its text as one UTF-8 buffer, cut into runs that each have one
/// style and a known display width. Rows are built by appending bytes, and encoded from the
/// buffer, so a row costs two arrays, not a string and a style per piece.
///
/// It reads as a collection of `Span`s (made on access), as rows were arrays of spans: a run
/// appended with `append` stays a run of its own even in the style of the one before (its
/// escape sequences are written again, as before), `appendMerging` joins them.
package struct Row: Hashable, Sendable, RandomAccessCollection, ExpressibleByArrayLiteral {
  struct Run: Hashable, Sendable {
    /// Where the run ends in `bytes` (it starts where the one before ends).
    var end: Int
    var width: Int
    var style: Style
  }

  /// The text of every run, in order.
  private(set) var bytes: [UInt8] = []
  private(set) var runs: [Run] = []
  /// The total display width.
  private(set) var width = 0

  package init() {}

  package init(arrayLiteral spans: Span...) {
    for span in spans { append(span) }
  }

  package var startIndex: Int { 0 }
  package var endIndex: Int { runs.count }

  /// Where run `index` starts in `bytes`.
  func start(of index: Int) -> Int { index == 0 ? 0 : runs[index - 1].end }

  package subscript(index: Int) -> Span {
    let run = runs[index]
    return Span(String(decoding: bytes[start(of: index)..<run.end], as: UTF8.self), run.style, width: run.width)
  }

  /// The text without styling.
  package var plainText: String { String(decoding: bytes, as: UTF8.self) }

  /// Makes room for this many more bytes and runs (a row is built in a few appends).
  mutating func reserve(bytes extraBytes: Int, runs extraRuns: Int) {
    bytes.reserveCapacity(bytes.count + extraBytes)
    runs.reserveCapacity(runs.count + extraRuns)
  }

  /// Appends a span as a run of its own.
  mutating func append(_ span: Span) {
    bytes.append(contentsOf: span.text.utf8)
    runs.append(Run(end: bytes.count, width: span.width, style: span.style))
    width += span.width
  }

  /// Appends a span, merged into the last run when the style is the same; empty text is dropped.
  mutating func appendMerging(_ span: Span) {
    guard !span.text.isEmpty else { return }
    bytes.append(contentsOf: span.text.utf8)
    extend(style: span.style, width: span.width)
  }

  /// Appends UTF-8 text of a known width, merged into the last run when the style is the same.
  mutating func appendMerging<C: Collection<UInt8>>(_ text: C, _ style: Style, width: Int) {
    guard !text.isEmpty else { return }
    bytes.append(contentsOf: text)
    extend(style: style, width: width)
  }

  private mutating func extend(style: Style, width added: Int) {
    if let last = runs.indices.last, runs[last].style == style {
      runs[last].end = bytes.count
      runs[last].width += added
    } else {
      runs.append(Run(end: bytes.count, width: added, style: style))
    }
    width += added
  }

  /// Appends the runs of another row, each as it is.
  mutating func append(contentsOf row: Row) {
    if runs.isEmpty {
      self = row
      return
    }
    let shift = bytes.count
    bytes.append(contentsOf: row.bytes)
    runs.reserveCapacity(runs.count + row.runs.count)
    for run in row.runs { runs.append(Run(end: run.end + shift, width: run.width, style: run.style)) }
    width += row.width
  }

  /// Appends run `index` of another row as it is.
  mutating func append(contentsOf row: Row, run index: Int) {
    let run = row.runs[index]
    bytes.append(contentsOf: row.bytes[row.start(of: index)..<run.end])
    runs.append(Run(end: bytes.count, width: run.width, style: run.style))
    width += run.width
  }

  static func + (left: Row, right: Row) -> Row {
    var result = left
    result.append(contentsOf: right)
    return result
  }

  /// Drops the last run.
  mutating func removeLast() {
    let run = runs.removeLast()
    bytes.removeSubrange(start(of: runs.count)...)
    width -= run.width
  }

  /// The row with every run's style changed by `transform`.
  func mapStyles(_ transform: (Style) -> Style) -> Row {
    var result = self
    for index in result.runs.indices { result.runs[index].style = transform(result.runs[index].style) }
    return result
  }
}

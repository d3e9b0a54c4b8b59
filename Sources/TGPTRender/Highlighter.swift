/// Colours code one line at a time, carrying what must cross lines (inside a block comment, a
/// multi-line string, an HTML tag) from one line to the next, so a block of any length costs
/// time linear in its size. Lines longer than 16 KiB are left plain.
struct Highlighter {
  enum State: Equatable, Sendable {
    case normal
    case blockComment
    case string(Int)
    case inTag
  }

  static let longLine = 16 * 1024

  private let language: Language?
  private let theme: Theme
  private(set) var state = State.normal

  /// A highlighter for the fence's info string (`swift`, `py title="x"`, …); unknown → plain.
  init(info: String, theme: Theme) {
    language = Language.named(info)
    self.theme = theme
  }

  /// Highlights one complete line (UTF-8) and moves on to the next.
  mutating func highlight(_ line: [UInt8]) -> Row {
    guard let language, line.count <= Self.longLine else {
      return line.isEmpty ? [] : [Span(String(decoding: line, as: UTF8.self))]
    }
    var lexer = LineLexer(bytes: line, language: language, theme: theme, state: state)
    lexer.run()
    state = lexer.state
    return lexer.spans
  }

  /// Highlights one complete line and moves on to the next.
  mutating func highlight(_ line: String) -> Row { highlight(Array(line.utf8)) }

  /// How a line not yet complete looks now, without moving on.
  func preview(_ line: [UInt8]) -> Row {
    var copy = self
    return copy.highlight(line)
  }
}

/// Expands tabs to the next multiple of four columns (code keeps its alignment without the
/// terminal's eight-column stops).
func expandTabs(_ line: ArraySlice<UInt8>) -> [UInt8] {
  guard line.contains(0x09) else { return Array(line) }
  return Array(expandTabs(String(decoding: line, as: UTF8.self)).utf8)
}

/// Expands tabs in text (see the byte version).
func expandTabs(_ line: String) -> String {
  guard line.utf8.contains(0x09) else { return line }
  var result = ""
  var column = 0
  for character in line {
    if character == "\t" {
      let spaces = 4 - column % 4
      result += String(repeating: " ", count: spaces)
      column += spaces
    } else {
      result.append(character)
      column += DisplayWidth.of(character)
    }
  }
  return result
}

struct LineLexer {
  let bytes: [UInt8]
  let language: Language
  let theme: Theme
  var state: Highlighter.State
  var spans: Row = []
  var plainStart = 0

  /// Whether every byte is printable ASCII (widths are then byte counts).
  let isASCII: Bool

  init(bytes: [UInt8], language: Language, theme: Theme, state: Highlighter.State) {
    self.bytes = bytes
    isASCII = bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    self.language = language
    self.theme = theme
    self.state = state
    spans.reserve(bytes: bytes.count, runs: 16)
  }

  mutating func run() {
    switch language.kind {
    case .diff:
      runDiff()
      return
    case .markup:
      runMarkup()
      return
    default:
      break
    }
    var i = 0
    switch state {
    case .blockComment:
      i = finishBlockComment(from: 0)
    case .string(let form):
      i = finishString(form: language.strings[form], index: form, from: 0, contentStart: 0)
    case .normal, .inTag:
      state = .normal
    }
    if language.kind == .yaml { i = yamlKey(from: i) }
    if language.preprocessor, i == 0, let first = bytes.firstIndex(where: { $0 != 0x20 }),
      bytes[first] == UInt8(ascii: "#")
    {
      var end = first + 1
      while end < bytes.count, isIdentifier(bytes[end]) { end += 1 }
      emit(first..<end, theme.keyword)
      i = end
    }
    scan(from: i)
    flushPlain(upTo: bytes.count)
  }

  // MARK: - Generic tokens

  mutating func scan(from start: Int) {
    var i = start
    let count = bytes.count
    while i < count {
      let byte = bytes[i]
      if byte == 0x20 {
        i += 1
        continue
      }
      if let comment = language.lineComments.first(where: { matches($0, at: i) }), commentAllowed(at: i, comment) {
        emit(i..<count, theme.comment)
        return
      }
      if let block = language.blockComment, matches(block.open, at: i) {
        i = finishBlockComment(from: i + block.open.count, emitFrom: i)
        if state == .blockComment { return }
        continue
      }
      if let formIndex = language.strings.firstIndex(where: { matches($0.open, at: i) }) {
        let form = language.strings[formIndex]
        i = finishString(form: form, index: formIndex, from: i + form.open.count, contentStart: i)
        if case .string = state { return }
        continue
      }
      if isDigit(byte), i == 0 || !isIdentifier(bytes[i - 1]) {
        var end = i + 1
        while end < count, isIdentifier(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
        emit(i..<end, theme.number)
        i = end
        continue
      }
      if language.kind == .shell, byte == UInt8(ascii: "$"), i + 1 < count {
        var end = i + 1
        if bytes[end] == UInt8(ascii: "{") {
          while end < count, bytes[end] != UInt8(ascii: "}") { end += 1 }
          end = min(end + 1, count)
        } else {
          while end < count, isIdentifier(bytes[end]) { end += 1 }
        }
        if end > i + 1 {
          emit(i..<end, theme.type)
          i = end
          continue
        }
      }
      if isIdentifierStart(byte) {
        var end = i + 1
        while end < count, isIdentifier(bytes[end]) { end += 1 }
        if let style = classify(i..<end) { emit(i..<end, style) }
        i = end
        continue
      }
      i += 1
    }
  }

  func classify(_ range: Range<Int>) -> Style? {
    var word = bytes[range]
    let lowercasing = language.caseInsensitiveKeywords
    if lowercasing, word.contains(where: { $0 >= 0x80 }) {
      word = ArraySlice(String(decoding: word, as: UTF8.self).lowercased().utf8)
    }
    if let key = word.withUnsafeBufferPointer({ WordSet.key($0, lowercasing: lowercasing) }) {
      if language.keywords.contains(key) { return theme.keyword }
      if language.literals.contains(key) { return theme.literal }
      if language.types.contains(key) { return theme.type }
    }
    if language.capitalizedAreTypes, let first = bytes[range].first, first >= UInt8(ascii: "A"),
      first <= UInt8(ascii: "Z")
    {
      return theme.type
    }
    if language.kind == .json, let next = bytes[range.upperBound...].first(where: { $0 != 0x20 }), next == 0x3A {
      return theme.punctuationKey
    }
    return nil
  }

  /// Comments that start with `#` need a space before them in shells and YAML (`a#b`, `${#x}`).
  func commentAllowed(at i: Int, _ marker: [UInt8]) -> Bool {
    guard language.kind == .shell || language.kind == .yaml, marker == [UInt8(ascii: "#")] else { return true }
    return i == 0 || bytes[i - 1] == 0x20 || bytes[i - 1] == 0x09
  }

  mutating func finishBlockComment(from start: Int, emitFrom: Int? = nil) -> Int {
    guard let block = language.blockComment else { return start }
    let from = emitFrom ?? start
    if let end = find(block.close, from: start) {
      emit(from..<(end + block.close.count), theme.comment)
      state = .normal
      return end + block.close.count
    }
    emit(from..<bytes.count, theme.comment)
    state = .blockComment
    return bytes.count
  }

  mutating func finishString(form: Language.StringForm, index: Int, from start: Int, contentStart: Int) -> Int {
    var i = start
    let close = form.close
    while i < bytes.count {
      if form.escapes, bytes[i] == 0x5C {
        i += 2
        continue
      }
      if matches(close, at: i) {
        let end = i + close.count
        var style = theme.string
        if language.kind == .json, let next = bytes[end...].first(where: { $0 != 0x20 }), next == 0x3A {
          style = theme.punctuationKey
        }
        emit(contentStart..<end, style)
        state = .normal
        return end
      }
      i += 1
    }
    emit(contentStart..<bytes.count, theme.string)
    state = form.multiline ? .string(index) : .normal
    return bytes.count
  }

  // MARK: - Helpers

  mutating func emit(_ range: Range<Int>, _ style: Style) {
    guard !range.isEmpty else { return }
    flushPlain(upTo: range.lowerBound)
    appendMerging(range, style)
    plainStart = range.upperBound
  }

  mutating func flushPlain(upTo end: Int) {
    guard end > plainStart else { return }
    appendMerging(plainStart..<end, .plain)
    plainStart = end
  }

  /// Appends the line's bytes in `range`; for an ASCII line the width is the byte count.
  mutating func appendMerging(_ range: Range<Int>, _ style: Style) {
    let width = asciiLine ? range.count : DisplayWidth.of(String(decoding: bytes[range], as: UTF8.self))
    spans.appendMerging(bytes[range], style, width: width)
  }

  var asciiLine: Bool { isASCII }

  static let commentOpen = Array("<!--".utf8)

  @inline(__always)
  func matches(_ pattern: [UInt8], at i: Int) -> Bool {
    guard i + pattern.count <= bytes.count, bytes[i] == pattern[0] else { return false }
    for k in 1..<pattern.count where bytes[i + k] != pattern[k] { return false }
    return true
  }

  func find(_ pattern: [UInt8], from start: Int) -> Int? {
    var i = start
    while i + pattern.count <= bytes.count {
      if matches(pattern, at: i) { return i }
      i += 1
    }
    return nil
  }

  func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

  func isIdentifierStart(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      || byte == UInt8(ascii: "_") || byte >= 0x80
  }

  func isIdentifier(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }
}

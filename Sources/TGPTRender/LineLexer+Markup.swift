/// YAML and TOML keys, diff lines and markup (HTML, XML) for the highlighter's lexer.
extension LineLexer {
  /// `key:` (after indentation and `- `) at the start of a YAML or TOML line.
  mutating func yamlKey(from start: Int) -> Int {
    guard start == 0 else { return start }
    var i = 0
    while i < bytes.count, bytes[i] == 0x20 { i += 1 }
    if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "-"), bytes[i + 1] == 0x20 { i += 2 }
    if i < bytes.count, bytes[i] == UInt8(ascii: "[") {
      if let end = bytes[i...].firstIndex(of: UInt8(ascii: "]")) {
        emit(i..<(end + 1), theme.punctuationKey)
        return end + 1
      }
    }
    var end = i
    while end < bytes.count, bytes[end] != UInt8(ascii: ":"), bytes[end] != UInt8(ascii: "="),
      bytes[end] != UInt8(ascii: "#")
    {
      end += 1
    }
    guard end < bytes.count, end > i, bytes[end] != UInt8(ascii: "#"),
      end + 1 == bytes.count || bytes[end + 1] == 0x20 || bytes[end] == UInt8(ascii: "=")
    else { return 0 }
    emit(i..<end, theme.punctuationKey)
    return end
  }

  mutating func runDiff() {
    let style: Style?
    if bytes.starts(with: Array("+++".utf8)) || bytes.starts(with: Array("---".utf8))
      || bytes.starts(with: Array("diff ".utf8))
      || bytes.starts(with: Array("index ".utf8))
    {
      style = Style(bold: true)
    } else if bytes.first == UInt8(ascii: "+") {
      style = theme.inserted
    } else if bytes.first == UInt8(ascii: "-") {
      style = theme.deleted
    } else if bytes.starts(with: "@@".utf8) {
      style = theme.hunk
    } else {
      style = nil
    }
    if let style { emit(0..<bytes.count, style) } else { flushPlain(upTo: bytes.count) }
  }

  mutating func runMarkup() {
    var i = 0
    if state == .blockComment { i = finishBlockComment(from: 0) }
    if case .string(let form) = state {
      i = finishString(form: language.strings[form], index: form, from: 0, contentStart: 0)
      if case .string = state { return }
      state = .inTag
    }
    while i < bytes.count {
      if state == .inTag {
        i = markupInsideTag(from: i)
        if case .string = state { return }
        continue
      }
      if matches(Self.commentOpen, at: i) {
        i = finishBlockComment(from: i + 4, emitFrom: i)
        if state == .blockComment { return }
        continue
      }
      if bytes[i] == UInt8(ascii: "<"), i + 1 < bytes.count,
        isIdentifierStart(bytes[i + 1]) || bytes[i + 1] == UInt8(ascii: "/") || bytes[i + 1] == UInt8(ascii: "!")
      {
        var end = i + 1
        while end < bytes.count, bytes[end] != 0x20, bytes[end] != UInt8(ascii: ">") { end += 1 }
        emit(i..<end, theme.tag)
        state = .inTag
        i = end
        continue
      }
      i += 1
    }
    flushPlain(upTo: bytes.count)
  }

  mutating func markupInsideTag(from start: Int) -> Int {
    var i = start
    while i < bytes.count {
      let byte = bytes[i]
      if byte == UInt8(ascii: ">") {
        let from = i > 0 && bytes[i - 1] == UInt8(ascii: "/") ? i - 1 : i
        emit(from..<(i + 1), theme.tag)
        state = .normal
        return i + 1
      }
      if let formIndex = language.strings.firstIndex(where: { matches($0.open, at: i) }) {
        let form = language.strings[formIndex]
        i = finishString(form: form, index: formIndex, from: i + form.open.count, contentStart: i)
        if case .string = state { return i }
        state = .inTag
        continue
      }
      if isIdentifierStart(byte) {
        var end = i + 1
        while end < bytes.count, isIdentifier(bytes[end]) || bytes[end] == UInt8(ascii: "-") { end += 1 }
        emit(i..<end, theme.type)
        i = end
        continue
      }
      i += 1
    }
    return i
  }
}

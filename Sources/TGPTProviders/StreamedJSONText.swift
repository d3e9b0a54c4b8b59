import TGPTEvents

/// One text that arrives as the values of many JSON strings (a tool call's arguments), joined
/// as bytes.
///
/// Providers cut the pieces anywhere: inside a multi-byte UTF-8 character, whose bytes then
/// arrive raw in two strings (neither valid UTF-8 alone), or between the halves of a surrogate
/// pair escaped as `\ud83d` and `\ude00`. Joining decoded `String`s would turn each half into
/// U+FFFD; joining bytes, and carrying a dangling high surrogate to the next piece, keeps the
/// text exact.
struct StreamedJSONText {
  private(set) var bytes: [UInt8] = []
  private var highSurrogate: UInt32?

  /// Whether nothing has arrived yet.
  var isEmpty: Bool { bytes.isEmpty && highSurrogate == nil }

  /// Appends the value of a JSON string literal (`"…"`, quotes included, escapes undone).
  mutating func append(literal: UnsafeRawBufferPointer) throws {
    var content = Array(literal.dropFirst().dropLast())
    var piece: [UInt8] = [0x22]
    if let high = highSurrogate {
      highSurrogate = nil
      piece += Self.escape(high)
    }
    if let high = Self.trailingHighSurrogate(content) {
      highSurrogate = high
      content.removeLast(6)
    }
    piece += content
    piece.append(0x22)
    // A carried high half now sits right before its low half, so the scanner decodes the pair.
    try piece.withUnsafeBytes { raw in
      var scanner = JSONScanner(raw)
      try scanner.appendString(to: &bytes)
    }
  }

  /// Appends text that arrived already decoded (a whole call's arguments).
  mutating func append(text: String) {
    flushSurrogate()
    bytes += text.utf8
  }

  /// The whole text; a high surrogate that never met its low half becomes U+FFFD.
  mutating func finish() -> [UInt8] {
    flushSurrogate()
    return bytes
  }

  private mutating func flushSurrogate() {
    guard highSurrogate != nil else { return }
    highSurrogate = nil
    bytes += [0xEF, 0xBF, 0xBD]
  }

  /// The high surrogate a string's content ends with (`…\ud83d`), when that `\` is not itself
  /// escaped (`\\ud83d` is a backslash and the letters `ud83d`).
  static func trailingHighSurrogate(_ content: [UInt8]) -> UInt32? {
    let count = content.count
    guard count >= 6, content[count - 6] == 0x5C, content[count - 5] == UInt8(ascii: "u") else { return nil }
    var value: UInt32 = 0
    for byte in content[(count - 4)...] {
      guard let digit = hexDigit(byte) else { return nil }
      value = value << 4 | digit
    }
    guard (0xD800...0xDBFF).contains(value) else { return nil }
    var backslashes = 0
    var position = count - 6
    while position >= 0, content[position] == 0x5C {
      backslashes += 1
      position -= 1
    }
    return backslashes % 2 == 1 ? value : nil
  }

  private static func hexDigit(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
    default: nil
    }
  }

  private static func escape(_ unit: UInt32) -> [UInt8] {
    let hex = Array("0123456789abcdef".utf8)
    return [0x5C, UInt8(ascii: "u")] + [12, 8, 4, 0].map { hex[Int((unit >> $0) & 0xF)] }
  }
}

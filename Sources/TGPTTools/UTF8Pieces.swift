/// Turns reads of UTF-8 bytes into text pieces that never split a character: the bytes of a
/// character cut by a read are held back until the rest arrives.
///
/// Invalid bytes become U+FFFD, as `String(decoding:as:)` makes them.
struct UTF8Pieces {
  private var held: [UInt8] = []

  /// The text of `bytes` (after what was held back), without an incomplete last character.
  mutating func text(of bytes: UnsafeRawBufferPointer) -> String {
    var all = held
    all.append(contentsOf: bytes)
    let cut = Self.completePrefixLength(all)
    held = Array(all[cut...])
    return String(decoding: all[..<cut], as: UTF8.self)
  }

  /// What is still held back, at the end of the input.
  mutating func finish() -> String {
    defer { held = [] }
    return String(decoding: held, as: UTF8.self)
  }

  /// The length of the longest prefix that does not end inside a character: a trailing lead
  /// byte and its continuation bytes are cut when fewer than the lead byte announces.
  static func completePrefixLength(_ bytes: [UInt8]) -> Int {
    var index = bytes.count
    var continuations = 0
    while index > 0, continuations < 3 {
      let byte = bytes[index - 1]
      if byte & 0xC0 == 0x80 {
        continuations += 1
        index -= 1
        continue
      }
      let length =
        switch byte {
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 1
        }
      return length > continuations + 1 ? index - 1 : bytes.count
    }
    return bytes.count
  }
}

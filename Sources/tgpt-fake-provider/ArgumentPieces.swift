/// A call's arguments cut the way the fake streams them: into pieces of three bytes, even
/// inside a multi-byte character, each written into a JSON string with its bytes raw (so the
/// data line of a cut character is not valid UTF-8 alone, and a client must join bytes).
enum ArgumentPieces {
  static let size = 3

  /// `text`'s UTF-8 bytes in pieces of `size`.
  static func pieces(_ text: String) -> [ArraySlice<UInt8>] {
    let bytes = Array(text.utf8)
    return stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
  }

  /// A JSON string literal, quotes included, holding `bytes` as they are: `"`, `\` and
  /// control characters escaped, every other byte raw.
  static func literal(_ bytes: some Sequence<UInt8>) -> [UInt8] {
    let hex = Array("0123456789abcdef".utf8)
    var out: [UInt8] = [0x22]
    for byte in bytes {
      switch byte {
      case 0x22, 0x5C: out += [0x5C, byte]
      case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
      default: out.append(byte)
      }
    }
    out.append(0x22)
    return out
  }
}

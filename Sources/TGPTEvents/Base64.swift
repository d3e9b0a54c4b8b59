/// Base64 (RFC 4648): OSC 52 clipboard text, and tokens that go in URLs.
public enum Base64 {
  /// `bytes` in base64 with `=` padding; with `urlSafe`, the URL alphabet (`-` `_`) and no
  /// padding.
  public static func encode(_ bytes: [UInt8], urlSafe: Bool = false) -> String {
    let alphabet = Array(
      ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + (urlSafe ? "-_" : "+/")).utf8)
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index < bytes.count {
      let chunk = bytes[index..<min(index + 3, bytes.count)]
      let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
      for position in 0..<4 {
        if position <= chunk.count {
          out.append(alphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3F)])
        } else if !urlSafe {
          out.append(UInt8(ascii: "="))
        }
      }
      index += 3
    }
    return String(decoding: out, as: UTF8.self)
  }
}

extension DisplayWidth {
  /// The length and width of the character `bytes[i...]` starts with when it is a plain one,
  /// ending before `end`: CJK ideographs, kana and fullwidth forms (two columns), or Latin-1
  /// letters, general punctuation (dashes, quotes, bullets, …) and box drawing (one column).
  /// All have grapheme break property Other and no emoji presentation, so none joins the
  /// character before it, and each is a grapheme of its own when what follows is also a boundary
  /// (see `plainGrapheme(_:at:end:)`).
  @inline(__always)
  static func plainCharacter<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at i: Bytes.Index, end: Bytes.Index)
    -> (length: Int, width: Int)? where Bytes.Index == Int
  {
    guard i + 2 <= end else { return nil }
    let lead = bytes[i]
    let second = bytes[i + 1]
    guard second & 0xC0 == 0x80 else { return nil }
    if lead == 0xC3 { return (2, 1) }  // U+00C0…U+00FF
    guard lead >= 0xE2, lead <= 0xEF, i + 3 <= end else { return nil }
    let third = bytes[i + 2]
    guard third & 0xC0 == 0x80 else { return nil }
    let value = UInt32(lead & 0x0F) << 12 | UInt32(second & 0x3F) << 6 | UInt32(third & 0x3F)
    switch value {
    case 0x2010...0x2027, 0x2500...0x257F:
      return isWide(value) ? nil : (3, 1)
    case 0x3041...0x3096, 0x30A1...0x30FA, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xFF01...0xFF60:
      return isWide(value) ? (3, 2) : nil
    default:
      return nil
    }
  }

  /// `plainCharacter` when it is a grapheme of its own: `end` (a known boundary), an ASCII byte
  /// or another plain character follows (none of them joins the character before).
  @inline(__always)
  static func plainGrapheme<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at i: Bytes.Index, end: Bytes.Index)
    -> (length: Int, width: Int)? where Bytes.Index == Int
  {
    guard let character = plainCharacter(bytes, at: i, end: end) else { return nil }
    let next = i + character.length
    guard next == end || bytes[next] < 0x80 || plainCharacter(bytes, at: next, end: end) != nil else { return nil }
    return character
  }
}

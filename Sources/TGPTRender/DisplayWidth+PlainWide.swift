extension DisplayWidth {
  /// Whether `bytes[i...]` starts with a CJK ideograph, kana or fullwidth form (three UTF-8
  /// bytes, East Asian Wide, grapheme break property Other) that ends before `end`. Such a
  /// character never joins the one before it (it is no mark or joiner), and is a grapheme of its
  /// own, two columns wide, when what follows is also a boundary (see `isPlainWide(_:at:end:)`).
  @inline(__always)
  static func startsPlainWide<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at i: Bytes.Index, end: Bytes.Index)
    -> Bool where Bytes.Index == Int
  {
    guard i + 3 <= end else { return false }
    let lead = bytes[i]
    guard lead >= 0xE3, lead <= 0xEF else { return false }
    let second = bytes[i + 1]
    let third = bytes[i + 2]
    guard second & 0xC0 == 0x80, third & 0xC0 == 0x80 else { return false }
    let value = UInt32(lead & 0x0F) << 12 | UInt32(second & 0x3F) << 6 | UInt32(third & 0x3F)
    switch value {
    case 0x3041...0x3096, 0x30A1...0x30FA, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xFF01...0xFF60:
      return isWide(value)
    default:
      return false
    }
  }

  /// Whether `bytes[i...]` starts with a plain wide character (`startsPlainWide`) that is a
  /// grapheme of its own: `end` (a known boundary), an ASCII byte or another plain wide character
  /// follows (none of them joins the character before).
  @inline(__always)
  static func isPlainWide<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at i: Bytes.Index, end: Bytes.Index)
    -> Bool where Bytes.Index == Int
  {
    guard startsPlainWide(bytes, at: i, end: end) else { return false }
    let next = i + 3
    return next == end || bytes[next] < 0x80 || startsPlainWide(bytes, at: next, end: end)
  }
}

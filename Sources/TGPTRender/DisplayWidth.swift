/// How many terminal columns text takes: one function for wrapping, tables and cursor math.
///
/// Per grapheme cluster: printable ASCII 1; controls 0 (they are neutralised before display);
/// emoji presentation (by default, by VS16, ZWJ sequences, flags, skin tones) 2; VS15 1;
/// East Asian Wide or Fullwidth 2; combining marks and format characters 0; else 1.
/// Ambiguous-width characters count 1, as terminals draw them in Western locales.
package enum DisplayWidth {
  /// The width of a string.
  package static func of(_ text: Substring) -> Int {
    var total = 0
    var asciiOnly = true
    for byte in text.utf8 where byte >= 0x80 {
      asciiOnly = false
      break
    }
    if asciiOnly {
      for byte in text.utf8 where byte >= 0x20 && byte != 0x7F { total += 1 }
      return total
    }
    if let width = text.utf8.withContiguousStorageIfAvailable(mixed) { return width }
    for character in text { total += of(character) }
    return total
  }

  /// The width of UTF-8 text (invalid sequences count as U+FFFD, as when decoded to a string).
  static func of(utf8 text: ArraySlice<UInt8>) -> Int { text.withUnsafeBufferPointer(mixed) }

  /// The width of UTF-8 text with some non-ASCII: an ASCII byte followed by another ASCII byte
  /// (or the end) is a grapheme of its own and counted directly; only the stretches around
  /// non-ASCII bytes — from the ASCII byte before them to the ASCII byte after them, which a
  /// prepended mark may join — are read as characters. (CR LF, one cluster, counts 0 either way.)
  private static func mixed(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var total = 0
    var i = 0
    let count = bytes.count
    while i < count {
      let byte = bytes[i]
      if byte < 0x80, i + 1 == count || bytes[i + 1] < 0x80 || plainCharacter(bytes, at: i + 1, end: count) != nil {
        if byte >= 0x20, byte != 0x7F { total += 1 }
        i += 1
        continue
      }
      // CJK, kana, box drawing and the like are counted from their bytes; only other
      // characters are read as such.
      if let plain = plainGrapheme(bytes, at: i, end: count) {
        total += plain.width
        i += plain.length
        continue
      }
      var end = i + 1
      while end < count {
        if bytes[end] >= 0x80 || (end + 1 < count && bytes[end + 1] >= 0x80) {
          end += 1
          continue
        }
        end += 1
        break
      }
      for character in String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self) {
        total += of(character)
      }
      i = end
    }
    return total
  }

  /// The width of a string.
  package static func of(_ text: String) -> Int { of(Substring(text)) }

  /// The width of one grapheme cluster.
  package static func of(_ character: Character) -> Int {
    if let ascii = character.asciiValue {
      return ascii >= 0x20 && ascii != 0x7F ? 1 : 0
    }
    let scalars = character.unicodeScalars
    guard let first = scalars.first else { return 0 }
    var hasVS16 = false
    var hasVS15 = false
    var isSequence = false
    for scalar in scalars.dropFirst() {
      switch scalar.value {
      case 0xFE0F: hasVS16 = true
      case 0xFE0E: hasVS15 = true
      case 0x200D, 0x1F3FB...0x1F3FF, 0x1F1E6...0x1F1FF: isSequence = true
      default: break
      }
    }
    if hasVS15 { return 1 }
    // Wide first: both tests give 2, and the table is far cheaper than the emoji properties.
    if isWide(first.value) { return 2 }
    let properties = first.properties
    if hasVS16 || properties.isEmojiPresentation || (isSequence && properties.isEmoji) { return 2 }
    switch properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format, .control, .lineSeparator, .paragraphSeparator: return 0
    default: break
    }
    if first.value >= 0x1160 && first.value <= 0x11FF { return 0 }  // Hangul medial vowels and final consonants
    return 1
  }

  /// Whether a code point is East Asian Wide or Fullwidth (binary search of the generated table).
  static func isWide(_ value: UInt32) -> Bool {
    guard value >= 0x1100 else { return false }
    var low = 0
    var high = wideCharacterRanges.count - 1
    while low <= high {
      let middle = (low + high) / 2
      let range = wideCharacterRanges[middle]
      if value < range.lowerBound {
        high = middle - 1
      } else if value > range.upperBound {
        low = middle + 1
      } else {
        return true
      }
    }
    return false
  }
}

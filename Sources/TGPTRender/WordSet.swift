/// A set of short words (keywords, literals, type names) looked up by an identifier's UTF-8 bytes:
/// by length, then by the bytes packed into two integers. The highlighter looks up every
/// identifier of a code block; making a String and hashing it for each cost more than the rest
/// of the lexing.
struct WordSet: Sendable, ExpressibleByArrayLiteral {
  /// The longest word a set can hold (longer ones are never looked up).
  static let maxLength = 16

  fileprivate struct Packed: Equatable, Sendable {
    var low: UInt64
    var high: UInt64
  }

  /// `byLength[n]` holds the words of `n` bytes.
  private var byLength: [[Packed]] = []

  init(_ words: some Sequence<some StringProtocol>) {
    for word in words {
      let bytes = Array(word.utf8)
      precondition(bytes.count <= Self.maxLength, "a keyword of more than \(Self.maxLength) bytes")
      if byLength.count <= bytes.count { byLength += Array(repeating: [], count: bytes.count + 1 - byLength.count) }
      let packed = Self.pack(bytes, lowercasing: false)
      if !byLength[bytes.count].contains(packed) { byLength[bytes.count].append(packed) }
    }
  }

  init(arrayLiteral words: String...) { self.init(words) }

  /// A word's bytes packed for lookups in any set (nil when it is longer than any set's words).
  struct Key {
    fileprivate var packed: Packed
    fileprivate var length: Int
  }

  /// The key of `bytes`; `lowercasing` maps ASCII capitals to small letters first (the caller
  /// handles non-ASCII bytes, whose lowercasing is Unicode's).
  static func key(_ bytes: UnsafeBufferPointer<UInt8>, lowercasing: Bool) -> Key? {
    guard bytes.count <= maxLength else { return nil }
    return Key(packed: pack(bytes, lowercasing: lowercasing), length: bytes.count)
  }

  /// Whether the key is one of the words.
  func contains(_ key: Key) -> Bool {
    guard key.length < byLength.count else { return false }
    for candidate in byLength[key.length] where candidate == key.packed { return true }
    return false
  }

  /// Whether the bytes spell one of the words (see `key(_:lowercasing:)`).
  func contains(_ bytes: ArraySlice<UInt8>, lowercasing: Bool = false) -> Bool {
    guard let key = bytes.withUnsafeBufferPointer({ Self.key($0, lowercasing: lowercasing) }) else { return false }
    return contains(key)
  }

  @inline(__always)
  private static func pack(_ bytes: some Collection<UInt8>, lowercasing: Bool) -> Packed {
    var result = Packed(low: 0, high: 0)
    var shift: UInt64 = 0
    for var byte in bytes {
      if lowercasing, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte |= 0x20 }
      if shift < 64 {
        result.low |= UInt64(byte) << shift
      } else {
        result.high |= UInt64(byte) << (shift - 64)
      }
      shift += 8
    }
    return result
  }
}

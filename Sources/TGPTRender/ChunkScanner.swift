import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The hottest path of every stream: a `chunk` line exactly as tgpt's programs write it —
/// `{"type":"chunk","content":"…"` first, then only simple members (`null`, `true`, `false`,
/// `[]`, `{}`, numbers, strings without escapes), no whitespace — is read here in one pass,
/// its content's bytes decoded straight into the output. Anything else (`\u` escapes, other
/// layouts, nested values, malformed text) is declined without appending anything, and the
/// caller goes on to `Event.appendChunkContent` and `Event.decode`: what this accepts is a
/// subset of what they accept, with the same content, so the output cannot differ.
package enum ChunkScanner {
  private static let prefix: StaticString = #"{"type":"chunk","content":""#

  /// Appends the content of a chunk line in the simple layout and returns true; otherwise
  /// appends nothing and returns false.
  package static func appendContent(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) -> Bool {
    let length = prefix.utf8CodeUnitCount
    guard bytes.count > length, let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
      memcmp(base, prefix.utf8Start, length) == 0
    else { return false }
    let count = bytes.count
    // The closing quote: the first `"` not after a backslash, eight bytes at a time.
    var end = length
    var firstEscape: Int?
    while true {
      guard let hit = nextQuoteOrBackslash(base, from: end, to: count) else { return false }
      if base[hit] == 0x22 {
        end = hit
        break
      }
      if firstEscape == nil { firstEscape = hit - length }
      end = hit + 2
    }
    guard simpleMembers(base, from: end + 1, to: count) else { return false }
    // One copy of the raw content; escapes are then decoded in place (which only shrinks it).
    let mark = output.count
    output.append(contentsOf: UnsafeBufferPointer(start: base + length, count: end - length))
    // Bytes that are not UTF-8 the decoder would replace (U+FFFD): its way, not a raw copy.
    guard output.withUnsafeBufferPointer({ UTF8Validity.isValid(UnsafeBufferPointer(rebasing: $0[mark...])) }) else {
      output.removeSubrange(mark...)
      return false
    }
    guard let firstEscape else { return true }
    let kept = output.withUnsafeMutableBufferPointer { buffer -> Int? in
      var read = mark + firstEscape
      var write = read
      let total = buffer.count
      while read < total {
        let byte = buffer[read]
        if byte != 0x5C {
          buffer[write] = byte
          read += 1
          write += 1
          continue
        }
        guard read + 1 < total, let decoded = JSONScanner.simpleEscape(buffer[read + 1]) else { return nil }
        buffer[write] = decoded
        read += 2
        write += 1
      }
      return write
    }
    guard let kept else {
      output.removeSubrange(mark...)
      return false
    }
    output.removeSubrange(kept...)
    return true
  }

  /// The offset of the first `"` or `\` in `base[start..<end]`, or nil.
  @inline(__always)
  static func nextQuoteOrBackslash(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int? {
    var i = start
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    while i + 8 <= end {
      let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
      let quotes = word ^ (ones &* 0x22)
      let slashes = word ^ (ones &* 0x5C)
      // A zero byte in either: the classic "has a zero byte" test (exact for the lowest one).
      let found = ((quotes &- ones) & ~quotes | (slashes &- ones) & ~slashes) & highs
      if found != 0 { return i + found.trailingZeroBitCount / 8 }
      i += 8
    }
    while i < end {
      if base[i] == 0x22 || base[i] == 0x5C { return i }
      i += 1
    }
    return nil
  }

  /// Whether `base[start..<end]` is `(,"key":simple)*}` with keys other than `type` and
  /// `content`, and the members `decode` reads as text (`finish_reason`, `model`, `provider`,
  /// `reason`, `call_id`, `name`, `id`, `session_id`) strings or null, as it requires.
  static func simpleMembers(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Bool {
    var i = start
    while i < end {
      switch base[i] {
      case UInt8(ascii: "}"):
        return i + 1 == end
      case UInt8(ascii: ","):
        guard i + 1 < end, base[i + 1] == 0x22 else { return false }
        let keyStart = i + 2
        guard let keyEnd = nextQuoteOrBackslash(base, from: keyStart, to: end), base[keyEnd] == 0x22 else {
          return false
        }
        guard keyEnd + 2 < end, base[keyEnd + 1] == UInt8(ascii: ":") else { return false }
        let key = UnsafeBufferPointer(start: base + keyStart, count: keyEnd - keyStart)
        let needsString: Bool
        switch key.count {
        case 4: if equals(key, "type") { return false } else { needsString = equals(key, "name") }
        case 7: if equals(key, "content") { return false } else { needsString = equals(key, "call_id") }
        case 5: needsString = equals(key, "model")
        case 13: needsString = equals(key, "finish_reason")
        case 2: needsString = equals(key, "id")
        case 10: needsString = equals(key, "session_id")
        case 8: needsString = equals(key, "provider")
        case 6: needsString = equals(key, "reason")
        default: needsString = false
        }
        guard let next = simpleValue(base, at: keyEnd + 2, to: end, stringOrNull: needsString) else { return false }
        i = next
      default:
        return false
      }
    }
    return false
  }

  /// The offset after a simple value at `i`, or nil.
  private static func simpleValue(_ base: UnsafePointer<UInt8>, at i: Int, to end: Int, stringOrNull: Bool) -> Int? {
    func literal(_ word: StaticString) -> Int? {
      let n = word.utf8CodeUnitCount
      return i + n <= end && memcmp(base + i, word.utf8Start, n) == 0 ? i + n : nil
    }
    switch base[i] {
    case 0x22:
      guard let j = nextQuoteOrBackslash(base, from: i + 1, to: end), base[j] == 0x22 else { return nil }
      return j + 1
    case UInt8(ascii: "n"): return literal("null")
    case _ where stringOrNull: return nil
    case UInt8(ascii: "t"): return literal("true")
    case UInt8(ascii: "f"): return literal("false")
    case UInt8(ascii: "["): return literal("[]")
    case UInt8(ascii: "{"): return literal("{}")
    case UInt8(ascii: "0")...UInt8(ascii: "9"):
      // Digits only (a leading zero only alone, as JSON wants); fractions and exponents decline.
      var j = i + 1
      if base[i] != UInt8(ascii: "0") { while j < end, base[j] >= 0x30, base[j] <= 0x39 { j += 1 } }
      return j
    default: return nil
    }
  }

  @inline(__always)
  private static func equals(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
    key.count == name.utf8CodeUnitCount && memcmp(key.baseAddress!, name.utf8Start, key.count) == 0
  }
}

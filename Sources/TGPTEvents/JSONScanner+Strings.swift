/// Reading strings in the forms the hot paths need: straight into bytes, and across chunk
/// boundaries that cut a surrogate pair.
extension JSONScanner {
  /// Reads a string that may continue one cut in the middle of a surrogate pair: streamed
  /// chunks are separate JSON strings, and an encoder that escapes non-ASCII can end one with
  /// the high half of a pair (`"\ud83d"`) and start the next with the low half. `carry` holds
  /// such a dangling high half between calls; a half that finds no partner becomes U+FFFD.
  package mutating func readString(carry: inout UInt32?) throws(ProtocolError) -> String {
    skipWhitespace()
    guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
      throw .invalidJSON(offset: offset, "expected a string")
    }
    let (start, end, escaped) = try scanString()
    var out: [UInt8] = []
    var i = start
    if let high = carry {
      carry = nil
      if end - start >= 6, bytes[start] == 0x5C, bytes[start + 1] == UInt8(ascii: "u"),
        let low = try? hex4(at: start + 2, end: end), (0xDC00...0xDFFF).contains(low)
      {
        out.append(contentsOf: UTF8.encode(Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!)!)
        i = start + 6
      } else {
        out.append(contentsOf: [0xEF, 0xBF, 0xBD])
      }
    }
    var stop = end
    if escaped, end - start >= 6, bytes[end - 6] == 0x5C, bytes[end - 5] == UInt8(ascii: "u"),
      let high = try? hex4(at: end - 4, end: end), (0xD800...0xDBFF).contains(high),
      end - 6 == start || bytes[end - 7] != 0x5C
    {
      carry = high
      stop = end - 6
    }
    guard escaped else {
      out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<stop]))
      return String(decoding: out, as: UTF8.self)
    }
    if i < stop { out.append(contentsOf: try decodeEscaped(from: i, to: stop).utf8) }
    return String(decoding: out, as: UTF8.self)
  }

  /// Reads a string value and appends its UTF-8 to `output` (no `String` is made).
  package mutating func appendString(to output: inout [UInt8]) throws(ProtocolError) {
    skipWhitespace()
    guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
      throw .invalidJSON(offset: offset, "expected a string")
    }
    let (start, end, escaped) = try scanString()
    guard escaped else {
      output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
      return
    }
    // Runs between escapes are copied whole; escapes other than \u are one byte.
    var i = start
    while i < end {
      var runEnd = i
      while runEnd < end, bytes[runEnd] != 0x5C { runEnd += 1 }
      if runEnd > i { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<runEnd])) }
      guard runEnd + 1 < end else {
        if runEnd < end { throw .invalidJSON(offset: runEnd, "bad escape") }
        return
      }
      let next = bytes[runEnd + 1]
      if let simple = Self.simpleEscape(next) {
        output.append(simple)
        i = runEnd + 2
        continue
      }
      // A \u escape (maybe a surrogate pair): decode that stretch the general way.
      var stretchEnd = runEnd
      while stretchEnd + 1 < end, bytes[stretchEnd] == 0x5C, bytes[stretchEnd + 1] == UInt8(ascii: "u") {
        stretchEnd += 6
      }
      guard stretchEnd > runEnd, stretchEnd <= end else { throw .invalidJSON(offset: runEnd, "bad escape") }
      output.append(contentsOf: try decodeEscaped(from: runEnd, to: stretchEnd).utf8)
      i = stretchEnd
    }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A pull parser over UTF-8 JSON bytes: read only the members you need, skip the rest without
/// allocating. Valid only inside the `withUnsafeBytes` scope that produced its buffer.
///
/// Provider chunks are decoded with it field by field (the hot path of every stream);
/// `JSON.parse` builds whole trees with it.
package struct JSONScanner {
  /// The byte a one-character escape (`\n`, `\"`, `\\`, `\/`, `\b`, `\f`, `\r`, `\t`)
  /// stands for; nil for `\u` and for escapes JSON does not have.
  @inlinable
  package static func simpleEscape(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "n"): 0x0A
    case UInt8(ascii: "\""): 0x22
    case UInt8(ascii: "\\"): 0x5C
    case UInt8(ascii: "t"): 0x09
    case UInt8(ascii: "r"): 0x0D
    case UInt8(ascii: "/"): 0x2F
    case UInt8(ascii: "b"): 0x08
    case UInt8(ascii: "f"): 0x0C
    default: nil
    }
  }

  /// What the next value is.
  package enum Kind: Sendable { case object, array, string, number, bool, null }

  /// An object member's key, as raw bytes between the quotes.
  package struct Key {
    let raw: UnsafeRawBufferPointer
    let hasEscapes: Bool

    /// Whether the key equals `name` (an ASCII literal).
    @inline(__always)
    package func equals(_ name: StaticString) -> Bool {
      if hasEscapes { return string == name.description }
      guard raw.count == name.utf8CodeUnitCount else { return false }
      guard let base = raw.baseAddress else { return true }
      return memcmp(base, name.utf8Start, raw.count) == 0
    }

    /// The key as a string.
    package var string: String {
      if !hasEscapes { return String(decoding: raw, as: UTF8.self) }
      let scratch = JSONScanner(raw)
      return (try? scratch.decodeEscaped(from: 0, to: raw.count)) ?? String(decoding: raw, as: UTF8.self)
    }
  }

  let bytes: UnsafeRawBufferPointer
  /// The offset of the next unread byte.
  package internal(set) var offset: Int = 0
  private static let maxDepth = 256

  /// A scanner at the start of `bytes`.
  package init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  // MARK: - Structure

  /// The kind of the next value, after skipping whitespace.
  package mutating func peekKind() throws(ProtocolError) -> Kind {
    skipWhitespace()
    guard offset < bytes.count else { throw .invalidJSON(offset: offset, "unexpected end") }
    switch bytes[offset] {
    case UInt8(ascii: "{"): return .object
    case UInt8(ascii: "["): return .array
    case UInt8(ascii: "\""): return .string
    case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
    case UInt8(ascii: "n"): return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
    default: throw .invalidJSON(offset: offset, "unexpected character")
    }
  }

  /// Consumes `{`; then call `nextKey()` until it returns nil.
  package mutating func beginObject() throws(ProtocolError) {
    try expect(UInt8(ascii: "{"), "expected an object")
    pendingFirst = true
  }

  private var pendingFirst = false

  /// The next member's key (positioned before its value, which the caller must consume),
  /// or nil after the closing `}`.
  package mutating func nextKey() throws(ProtocolError) -> Key? {
    skipWhitespace()
    guard offset < bytes.count else { throw .invalidJSON(offset: offset, "unterminated object") }
    if bytes[offset] == UInt8(ascii: "}") {
      offset += 1
      pendingFirst = false
      return nil
    }
    if !pendingFirst {
      try expect(UInt8(ascii: ","), "expected ',' or '}'")
      skipWhitespace()
    }
    pendingFirst = false
    guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
      throw .invalidJSON(offset: offset, "expected a member name")
    }
    let (start, end, escaped) = try scanString()
    try expect(UInt8(ascii: ":"), "expected ':'")
    return Key(raw: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), hasEscapes: escaped)
  }

  /// Continues an object whose opening brace and first member were read elsewhere: the next
  /// member's key, or nil after the closing `}`.
  package mutating func nextKeyAfterFirst() throws(ProtocolError) -> Key? {
    pendingFirst = false
    return try nextKey()
  }

  /// Consumes `[`; then call `nextElement()` until it returns false.
  package mutating func beginArray() throws(ProtocolError) {
    try expect(UInt8(ascii: "["), "expected an array")
    pendingFirst = true
  }

  /// Whether another element follows (positioned before it), or false after the closing `]`.
  package mutating func nextElement() throws(ProtocolError) -> Bool {
    skipWhitespace()
    guard offset < bytes.count else { throw .invalidJSON(offset: offset, "unterminated array") }
    if bytes[offset] == UInt8(ascii: "]") {
      offset += 1
      pendingFirst = false
      return false
    }
    if !pendingFirst { try expect(UInt8(ascii: ","), "expected ',' or ']'") }
    pendingFirst = false
    return true
  }

  /// Fails unless only whitespace remains.
  package mutating func expectEnd() throws(ProtocolError) {
    skipWhitespace()
    if offset != bytes.count { throw .invalidJSON(offset: offset, "unexpected data after the value") }
  }

  // MARK: - Scalars

  /// Reads a string value.
  package mutating func readString() throws(ProtocolError) -> String {
    skipWhitespace()
    guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
      throw .invalidJSON(offset: offset, "expected a string")
    }
    let (start, end, escaped) = try scanString()
    if !escaped { return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) }
    return try decodeEscaped(from: start, to: end)
  }

  /// Reads a string, or nil for `null`.
  package mutating func readOptionalString() throws(ProtocolError) -> String? {
    if try peekKind() == .null {
      try skipValue()
      return nil
    }
    return try readString()
  }

  /// Reads any value as a tree.
  package mutating func readValue() throws(ProtocolError) -> JSON {
    try parseValue(depth: 0)
  }

  /// Skips one value of any kind without building it.
  package mutating func skipValue() throws(ProtocolError) {
    try skip(depth: 0)
  }

  // MARK: - Internals

  @inline(__always)
  mutating func skipWhitespace() {
    while offset < bytes.count {
      switch bytes[offset] {
      case 0x20, 0x0A, 0x0D, 0x09: offset += 1
      default: return
      }
    }
  }

  private mutating func expect(_ byte: UInt8, _ what: String) throws(ProtocolError) {
    skipWhitespace()
    guard offset < bytes.count, bytes[offset] == byte else { throw .invalidJSON(offset: offset, what) }
    offset += 1
  }

  /// Scans a string starting at the opening quote; returns the content range and whether it
  /// contains escapes, leaving `offset` after the closing quote.
  mutating func scanString() throws(ProtocolError) -> (Int, Int, Bool) {
    let start = offset + 1
    var i = start
    var escaped = false
    let count = bytes.count
    guard let base = bytes.baseAddress else { throw .invalidJSON(offset: offset, "unterminated string") }
    // memchr finds the next quote; a backslash before it means that quote may be escaped.
    while i < count, let quote = memchr(base + i, 0x22, count - i) {
      let q = base.distance(to: UnsafeRawPointer(quote))
      if let backslash = memchr(base + i, 0x5C, q - i) {
        escaped = true
        let b = base.distance(to: UnsafeRawPointer(backslash))
        // Checked here, not only when decoded: a skipped string must be as valid as a read one,
        // or a line could pass one reader and fail another.
        if b + 1 < count, bytes[b + 1] == UInt8(ascii: "u") {
          _ = try hex4(at: b + 2, end: count)
        } else if b + 1 < count, Self.simpleEscape(bytes[b + 1]) == nil {
          throw .invalidJSON(offset: b, "bad escape")
        }
        i = b + 2
        continue
      }
      offset = q + 1
      return (start, q, escaped)
    }
    throw .invalidJSON(offset: offset, "unterminated string")
  }

  func decodeEscaped(from start: Int, to end: Int) throws(ProtocolError) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(end - start)
    var i = start
    while i < end {
      let byte = bytes[i]
      guard byte == UInt8(ascii: "\\") else {
        out.append(byte)
        i += 1
        continue
      }
      guard i + 1 < end else { throw .invalidJSON(offset: i, "bad escape") }
      let next = bytes[i + 1]
      i += 2
      if let simple = Self.simpleEscape(next) {
        out.append(simple)
        continue
      }
      switch next {
      case UInt8(ascii: "u"):
        var scalar = try hex4(at: i, end: end)
        i += 4
        if (0xD800...0xDBFF).contains(scalar), i + 6 <= end, bytes[i] == UInt8(ascii: "\\"),
          bytes[i + 1] == UInt8(ascii: "u")
        {
          let low = try hex4(at: i + 2, end: end)
          if (0xDC00...0xDFFF).contains(low) {
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            i += 6
          }
        }
        // A lone surrogate cannot be UTF-8; JSON parsers conventionally substitute U+FFFD.
        let value = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        out.append(contentsOf: UTF8.encode(value)!)
      default:
        throw .invalidJSON(offset: i - 2, "bad escape")
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  func hex4(at index: Int, end: Int) throws(ProtocolError) -> UInt32 {
    guard index + 4 <= end else { throw .invalidJSON(offset: index, "bad \\u escape") }
    var value: UInt32 = 0
    for k in index..<(index + 4) {
      let c = bytes[k]
      let digit: UInt8
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
      default: throw .invalidJSON(offset: k, "bad \\u escape")
      }
      value = value << 4 | UInt32(digit)
    }
    return value
  }

  private mutating func scanNumber() throws(ProtocolError) -> Range<Int> {
    let start = offset
    var i = offset
    let count = bytes.count
    func digits(_ i: inout Int) -> Int {
      let from = i
      while i < count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
      return i - from
    }
    if i < count, bytes[i] == UInt8(ascii: "-") { i += 1 }
    let intStart = i
    let intDigits = digits(&i)
    guard intDigits > 0 else { throw .invalidJSON(offset: i, "bad number") }
    if intDigits > 1, bytes[intStart] == UInt8(ascii: "0") { throw .invalidJSON(offset: intStart, "bad number") }
    if i < count, bytes[i] == UInt8(ascii: ".") {
      i += 1
      guard digits(&i) > 0 else { throw .invalidJSON(offset: i, "bad number") }
    }
    if i < count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
      guard digits(&i) > 0 else { throw .invalidJSON(offset: i, "bad number") }
    }
    offset = i
    return start..<i
  }

  private mutating func literal(_ word: StaticString) throws(ProtocolError) {
    let n = word.utf8CodeUnitCount
    guard offset + n <= bytes.count else { throw .invalidJSON(offset: offset, "unexpected end") }
    for k in 0..<n where bytes[offset + k] != word.utf8Start[k] {
      throw .invalidJSON(offset: offset, "unexpected character")
    }
    offset += n
  }

  private mutating func parseValue(depth: Int) throws(ProtocolError) -> JSON {
    guard depth < Self.maxDepth else { throw .invalidJSON(offset: offset, "nested too deeply") }
    switch try peekKind() {
    case .object:
      try beginObject()
      var members: [(String, JSON)] = []
      while let key = try nextKey() {
        members.append((key.string, try parseValue(depth: depth + 1)))
      }
      return .object(JSONObject(members))
    case .array:
      try beginArray()
      var elements: [JSON] = []
      while try nextElement() { elements.append(try parseValue(depth: depth + 1)) }
      return .array(elements)
    case .string:
      return .string(try readString())
    case .number:
      let range = try scanNumber()
      let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
      return .number(JSONNumber(uncheckedText: text))
    case .bool:
      if bytes[offset] == UInt8(ascii: "t") {
        try literal("true")
        return .bool(true)
      }
      try literal("false")
      return .bool(false)
    case .null:
      try literal("null")
      return .null
    }
  }

  private mutating func skip(depth: Int) throws(ProtocolError) {
    guard depth < Self.maxDepth else { throw .invalidJSON(offset: offset, "nested too deeply") }
    switch try peekKind() {
    case .object:
      try beginObject()
      while try nextKey() != nil { try skip(depth: depth + 1) }
    case .array:
      try beginArray()
      while try nextElement() { try skip(depth: depth + 1) }
    case .string:
      _ = try scanString()
    case .number:
      _ = try scanNumber()
    case .bool:
      try literal(bytes[offset] == UInt8(ascii: "t") ? "true" : "false")
    case .null:
      try literal("null")
    }
  }
}

extension JSON {
  /// Parses one JSON value (surrounding whitespace allowed, nothing else).
  package static func parse(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) -> JSON {
    var scanner = JSONScanner(bytes)
    let value = try scanner.readValue()
    try scanner.expectEnd()
    return value
  }

  /// Parses one JSON value from bytes.
  package static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(ProtocolError) -> JSON {
    let result: Result<JSON, ProtocolError>? = bytes.withContiguousStorageIfAvailable { buffer in
      do throws(ProtocolError) { return .success(try parse(UnsafeRawBufferPointer(buffer))) } catch {
        return .failure(error)
      }
    }
    if let result { return try result.get() }
    return try Array(bytes).withBytes { buffer throws(ProtocolError) in try parse(buffer) }
  }

  /// Parses one JSON value from text.
  package static func parse(_ text: String) throws(ProtocolError) -> JSON {
    try text.withUTF8Bytes { buffer throws(ProtocolError) in try parse(buffer) }
  }
}

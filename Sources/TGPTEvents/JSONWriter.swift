/// Builds compact JSON text into a byte buffer; used for every event we write.
///
/// Strings are written as UTF-8 with only `"`, `\` and control characters escaped, so the
/// output is as short as JSON allows and non-ASCII text stays readable.
package struct JSONWriter: Sendable {
  /// The bytes written so far.
  package var bytes: [UInt8]

  /// An empty writer with room for `capacity` bytes.
  package init(capacity: Int = 256) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  /// Empties the buffer, keeping its storage.
  package mutating func reset() { bytes.removeAll(keepingCapacity: true) }

  /// Appends bytes verbatim (the caller guarantees they are valid JSON in context).
  @inline(__always)
  package mutating func raw(_ text: StaticString) {
    bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  /// Appends one byte verbatim.
  @inline(__always)
  package mutating func byte(_ value: UInt8) { bytes.append(value) }

  /// Appends an integer.
  package mutating func int(_ value: Int) {
    if value >= 0, value < 10 {
      bytes.append(UInt8(ascii: "0") + UInt8(value))
      return
    }
    bytes.append(contentsOf: String(value).utf8)
  }

  /// Appends a quoted, escaped string.
  package mutating func string(_ value: String) {
    bytes.append(UInt8(ascii: "\""))
    if value.utf8.withContiguousStorageIfAvailable({ escape($0) }) == nil {
      var copy = value
      copy.withUTF8 { escape($0) }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Appends `"key":`.
  @inline(__always)
  package mutating func key(_ name: StaticString) {
    bytes.append(UInt8(ascii: "\""))
    raw(name)
    bytes.append(UInt8(ascii: "\""))
    bytes.append(UInt8(ascii: ":"))
  }

  /// Appends any JSON value, compactly.
  package mutating func value(_ json: JSON) {
    switch json {
    case .null: raw("null")
    case .bool(let b): b ? raw("true") : raw("false")
    case .number(let n): bytes.append(contentsOf: n.text.utf8)
    case .string(let s): string(s)
    case .array(let elements):
      bytes.append(UInt8(ascii: "["))
      for (i, element) in elements.enumerated() {
        if i > 0 { bytes.append(UInt8(ascii: ",")) }
        value(element)
      }
      bytes.append(UInt8(ascii: "]"))
    case .object(let object):
      bytes.append(UInt8(ascii: "{"))
      for (i, member) in object.members.enumerated() {
        if i > 0 { bytes.append(UInt8(ascii: ",")) }
        string(member.key)
        bytes.append(UInt8(ascii: ":"))
        value(member.value)
      }
      bytes.append(UInt8(ascii: "}"))
    }
  }

  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  private mutating func escape(_ source: UnsafeBufferPointer<UInt8>) {
    var runStart = 0
    var i = 0
    let count = source.count
    while i < count {
      let c = source[i]
      if c >= 0x20, c != UInt8(ascii: "\""), c != UInt8(ascii: "\\") {
        i += 1
        continue
      }
      if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<i])) }
      bytes.append(UInt8(ascii: "\\"))
      switch c {
      case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
      case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
      case 0x0A: bytes.append(UInt8(ascii: "n"))
      case 0x0D: bytes.append(UInt8(ascii: "r"))
      case 0x09: bytes.append(UInt8(ascii: "t"))
      case 0x08: bytes.append(UInt8(ascii: "b"))
      case 0x0C: bytes.append(UInt8(ascii: "f"))
      default:
        bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
        bytes.append(Self.hexDigits[Int(c >> 4)])
        bytes.append(Self.hexDigits[Int(c & 0x0F)])
      }
      i += 1
      runStart = i
    }
    if runStart < count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<count])) }
  }
}

extension JSON {
  /// The compact JSON text of this value.
  package var compactText: String {
    var writer = JSONWriter()
    writer.value(self)
    return String(decoding: writer.bytes, as: UTF8.self)
  }
}

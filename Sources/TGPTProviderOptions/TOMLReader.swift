package import TGPTEvents

/// Reads the TOML the config file needs into a JSON tree: comments, `key = value` with bare,
/// quoted and dotted keys, `[table]` headers, basic and literal strings (also multi-line),
/// integers, floats, booleans, arrays and inline tables. Dates and `[[array of tables]]` are
/// refused with a clear message rather than misread.
///
/// (TOMLKit was the chosen package; it imports Foundation, which linked ICU into every program:
/// an 80 MB binary and three times the start-up time, for a file of a dozen keys.)
package struct TOMLReader {
  package struct Failure: Error, CustomStringConvertible {
    package let line: Int
    package let what: String
    package var description: String { "line \(line): \(what)" }
  }

  /// Where things are in a document's bytes, for editing it without rewriting it.
  package struct Layout {
    /// Each top-level `key = value` statement (not inside a table): its key and the bytes
    /// from the key's first to the value's last (a comment after it is not included).
    package var statements: [(key: String, range: Range<Int>)] = []
    /// Where the first `[table]` header starts, if there is one.
    package var firstTable: Int?
  }

  private let bytes: [UInt8]
  private var index = 0
  private var line = 1
  private var layout = Layout()
  /// Arrays and inline tables open around the value being read.
  private var depth = 0
  /// The deepest nesting of arrays and inline tables, and the most parts of a dotted key, read:
  /// more would only serve to run the reader (which recurses) out of stack.
  static let maxDepth = 100

  /// Parses a whole document.
  package static func parse(_ text: String) throws(Failure) -> JSONObject {
    var reader = TOMLReader(bytes: Array(text.utf8))
    return try reader.document()
  }

  /// Parses a whole document and tells where its top-level statements and first table are.
  package static func layout(_ bytes: [UInt8]) throws(Failure) -> Layout {
    var reader = TOMLReader(bytes: bytes)
    _ = try reader.document()
    return reader.layout
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  private func fail(_ what: String) -> Failure { Failure(line: line, what: what) }

  private mutating func document() throws(Failure) -> JSONObject {
    var root = JSONObject()
    var tablePath: [String] = []
    while true {
      skipSpaceAndComments(newlines: true)
      guard let byte = current else { return root }
      let start = index
      if byte == UInt8(ascii: "[") {
        if layout.firstTable == nil { layout.firstTable = start }
        index += 1
        if current == UInt8(ascii: "[") { throw fail("arrays of tables ([[…]]) are not supported") }
        tablePath = try keyPath(until: UInt8(ascii: "]"))
        index += 1
        try insert(.object(JSONObject()), at: tablePath, into: &root, replacing: false)
      } else {
        let path = try keyPath(until: UInt8(ascii: "="))
        index += 1
        skipSpaceAndComments(newlines: false)
        let value = try self.value()
        try insert(value, at: tablePath + path, into: &root, replacing: true)
        if tablePath.isEmpty, path.count == 1 { layout.statements.append((path[0], start..<index)) }
      }
      skipSpaceAndComments(newlines: false)
      if let byte = current, byte != 0x0A, byte != 0x0D { throw fail("unexpected text after the value") }
    }
  }

  /// Reads `a.b."c d"` up to `terminator` (not consumed).
  private mutating func keyPath(until terminator: UInt8) throws(Failure) -> [String] {
    var path: [String] = []
    while true {
      skipSpaceAndComments(newlines: false)
      guard let byte = current else { throw fail("unexpected end of file in a key") }
      if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
        path.append(try string())
      } else {
        let start = index
        while let c = current, Self.isBareKey(c) { index += 1 }
        guard index > start else { throw fail("expected a key") }
        path.append(String(decoding: bytes[start..<index], as: UTF8.self))
      }
      skipSpaceAndComments(newlines: false)
      if current == UInt8(ascii: ".") {
        guard path.count < Self.maxDepth else { throw fail("a key of more than \(Self.maxDepth) parts") }
        index += 1
        continue
      }
      guard current == terminator else { throw fail("expected '\(Character(Unicode.Scalar(terminator)))'") }
      return path
    }
  }

  private mutating func value() throws(Failure) -> JSON {
    guard let byte = current else { throw fail("expected a value") }
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "'"): return .string(try string())
    case UInt8(ascii: "["), UInt8(ascii: "{"):
      guard depth < Self.maxDepth else {
        throw fail("arrays and inline tables nested more than \(Self.maxDepth) deep")
      }
      depth += 1
      defer { depth -= 1 }
      return byte == UInt8(ascii: "[") ? try array() : try inlineTable()
    default: return try scalar()
    }
  }

  private mutating func array() throws(Failure) -> JSON {
    index += 1
    var elements: [JSON] = []
    while true {
      skipSpaceAndComments(newlines: true)
      if current == UInt8(ascii: "]") {
        index += 1
        return .array(elements)
      }
      elements.append(try value())
      skipSpaceAndComments(newlines: true)
      if current == UInt8(ascii: ",") {
        index += 1
      } else if current != UInt8(ascii: "]") {
        throw fail("expected ',' or ']' in an array")
      }
    }
  }

  private mutating func inlineTable() throws(Failure) -> JSON {
    index += 1
    var table = JSONObject()
    skipSpaceAndComments(newlines: false)
    if current == UInt8(ascii: "}") {
      index += 1
      return .object(table)
    }
    while true {
      let path = try keyPath(until: UInt8(ascii: "="))
      index += 1
      skipSpaceAndComments(newlines: false)
      try insert(try value(), at: path, into: &table, replacing: false)
      skipSpaceAndComments(newlines: false)
      if current == UInt8(ascii: ",") {
        index += 1
      } else if current == UInt8(ascii: "}") {
        index += 1
        return .object(table)
      } else {
        throw fail("expected ',' or '}' in an inline table")
      }
    }
  }

  private mutating func scalar() throws(Failure) -> JSON {
    let start = index
    while let c = current, !Self.endsScalar(c) { index += 1 }
    let word = String(decoding: bytes[start..<index], as: UTF8.self)
    switch word {
    case "true": return .bool(true)
    case "false": return .bool(false)
    case "inf", "+inf", "-inf", "nan", "+nan", "-nan": throw fail("infinite and NaN numbers are not supported")
    default: break
    }
    let digits = word.replacingUnderscores
    if let integer = Int(digits) { return .int(integer) }
    if digits.hasPrefix("0x"), let hex = Int(digits.dropFirst(2), radix: 16) { return .int(hex) }
    if digits.hasPrefix("0o"), let octal = Int(digits.dropFirst(2), radix: 8) { return .int(octal) }
    if digits.hasPrefix("0b"), let binary = Int(digits.dropFirst(2), radix: 2) { return .int(binary) }
    if let double = Double(digits), double.isFinite, digits.first != "." { return .double(double) }
    if word.contains("-") || word.contains(":") { throw fail("dates and times are not supported: \(word)") }
    throw fail(word.isEmpty ? "expected a value" : "not a TOML value: \(word) (strings need quotes)")
  }

  private mutating func string() throws(Failure) -> String {
    let quote = bytes[index]
    let literal = quote == UInt8(ascii: "'")
    let multiLine = index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote
    index += multiLine ? 3 : 1
    if multiLine, current == 0x0A {
      index += 1
      line += 1
    } else if multiLine, current == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
      index += 2
      line += 1
    }
    var out: [UInt8] = []
    while true {
      guard let byte = current else { throw fail("unterminated string") }
      if byte == quote {
        if !multiLine {
          index += 1
          return String(decoding: out, as: UTF8.self)
        }
        if index + 2 < bytes.count, bytes[index + 1] == quote, bytes[index + 2] == quote {
          index += 3
          // Up to two more quotes right before the closing three belong to the string.
          var extra = 0
          while current == quote, extra < 2 {
            out.append(quote)
            index += 1
            extra += 1
          }
          return String(decoding: out, as: UTF8.self)
        }
      }
      if byte == 0x0A {
        guard multiLine else { throw fail("newline in a single-line string") }
        line += 1
      }
      if byte == UInt8(ascii: "\\"), !literal {
        index += 1
        try escape(into: &out, multiLine: multiLine)
        continue
      }
      out.append(byte)
      index += 1
    }
  }

  private mutating func escape(into out: inout [UInt8], multiLine: Bool) throws(Failure) {
    guard let byte = current else { throw fail("unterminated escape") }
    index += 1
    switch byte {
    case UInt8(ascii: "n"): out.append(0x0A)
    case UInt8(ascii: "t"): out.append(0x09)
    case UInt8(ascii: "r"): out.append(0x0D)
    case UInt8(ascii: "b"): out.append(0x08)
    case UInt8(ascii: "f"): out.append(0x0C)
    case UInt8(ascii: "\""): out.append(0x22)
    case UInt8(ascii: "\\"): out.append(0x5C)
    case UInt8(ascii: "u"), UInt8(ascii: "U"):
      let count = byte == UInt8(ascii: "u") ? 4 : 8
      guard index + count <= bytes.count,
        let value = UInt32(String(decoding: bytes[index..<(index + count)], as: UTF8.self), radix: 16),
        let scalar = Unicode.Scalar(value)
      else { throw fail("bad unicode escape") }
      out.append(contentsOf: Array(String(Character(scalar)).utf8))
      index += count
    case 0x0A, 0x0D, 0x20, 0x09:
      // A backslash at the end of a line joins it to the next, trimming the whitespace.
      guard multiLine else { throw fail("unknown escape in a single-line string") }
      index -= 1
      while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
        if c == 0x0A { line += 1 }
        index += 1
      }
    default:
      throw fail("unknown escape \\\(Character(Unicode.Scalar(byte)))")
    }
  }

  private mutating func skipSpaceAndComments(newlines: Bool) {
    while let byte = current {
      if byte == 0x20 || byte == 0x09 {
        index += 1
      } else if byte == UInt8(ascii: "#") {
        while let c = current, c != 0x0A { index += 1 }
      } else if newlines, byte == 0x0A || byte == 0x0D {
        if byte == 0x0A { line += 1 }
        index += 1
      } else {
        return
      }
    }
  }

  private func insert(_ value: JSON, at path: [String], into table: inout JSONObject, replacing: Bool) throws(Failure) {
    guard let first = path.first else { return }
    if path.count == 1 {
      if let existing = table[first] {
        if case .object = existing, case .object = value, !replacing { return }
        throw fail("'\(first)' is defined twice")
      }
      table[first] = value
      return
    }
    var child: JSONObject
    switch table[first] {
    case nil: child = JSONObject()
    case .object(let object)?: child = object
    default: throw fail("'\(first)' is not a table")
    }
    try insert(value, at: Array(path.dropFirst()), into: &child, replacing: replacing)
    table[first] = .object(child)
  }

  private static func isBareKey(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
      || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
  }

  private static func endsScalar(_ c: UInt8) -> Bool {
    c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: ",") || c == UInt8(ascii: "]")
      || c == UInt8(ascii: "}") || c == UInt8(ascii: "#")
  }
}

extension String {
  fileprivate var replacingUnderscores: String { String(filter { $0 != "_" }) }
}

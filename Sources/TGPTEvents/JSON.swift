/// A JSON value that keeps what a round trip must keep: member order and the exact text of numbers.
///
/// Events, request bodies and `--param` values all pass through this type, so `export`/`import`
/// and pass-through filters reproduce their input rather than a re-formatted approximation.
package enum JSON: Sendable, Hashable {
  case null
  case bool(Bool)
  /// A number, stored as its JSON text (`0.95` stays `0.95`, `1e3` stays `1e3`).
  case number(JSONNumber)
  case string(String)
  case array([JSON])
  case object(JSONObject)

  /// The string, when this is a string.
  package var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The object, when this is an object.
  package var objectValue: JSONObject? {
    if case .object(let o) = self { return o }
    return nil
  }

  /// The elements, when this is an array.
  package var arrayValue: [JSON]? {
    if case .array(let a) = self { return a }
    return nil
  }

  /// The number as an integer, when this is a number that fits one exactly.
  package var intValue: Int? {
    if case .number(let n) = self { return n.intValue }
    return nil
  }

  /// The number as a double, when this is a number.
  package var doubleValue: Double? {
    if case .number(let n) = self { return n.doubleValue }
    return nil
  }

  /// The boolean, when this is `true` or `false`.
  package var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// Whether this is `null`.
  package var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// The member named `key`, when this is an object that has one.
  package subscript(key: String) -> JSON? {
    objectValue?[key]
  }

  /// A number from an integer.
  package static func int(_ value: Int) -> JSON { .number(JSONNumber(value)) }

  /// A number from a double; non-finite values (which JSON cannot carry) become `null`.
  package static func double(_ value: Double) -> JSON {
    value.isFinite ? .number(JSONNumber(value)) : .null
  }
}

/// The text of a JSON number, validated by the parser or produced from a Swift number.
package struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
  /// The number exactly as it appears in JSON.
  package let text: String

  /// Wraps JSON number text without checking it; callers pass parser output or formatted numbers.
  init(uncheckedText: String) { self.text = uncheckedText }

  /// The JSON text of an integer.
  package init(_ value: Int) { self.text = String(value) }

  /// The JSON text of a finite double (integral values are written without a fraction).
  package init(_ value: Double) {
    if value == value.rounded(.towardZero), abs(value) < 1e15 {
      self.text = String(Int(value))
    } else {
      self.text = String(value)
    }
  }

  /// The value as an integer, when the text is an integer that fits.
  package var intValue: Int? {
    if let i = Int(text) { return i }
    if let d = Double(text), d == d.rounded(.towardZero), abs(d) < 9e15 { return Int(d) }
    return nil
  }

  /// The value as a double.
  package var doubleValue: Double? { Double(text) }

  package var description: String { text }
}

/// A JSON object with its members in their original order.
package struct JSONObject: Sendable, Hashable, Sequence {
  /// The members, in order. Duplicate keys are kept as parsed; lookups find the last one.
  package private(set) var members: [(key: String, value: JSON)]

  /// An empty object.
  package init() { members = [] }

  /// An object with these members, in this order.
  package init(_ members: [(String, JSON)]) {
    self.members = members.map { (key: $0.0, value: $0.1) }
  }

  /// The value of the last member named `key`; assigning replaces it in place or appends it,
  /// and assigning `nil` removes every member of that name.
  package subscript(key: String) -> JSON? {
    get {
      for member in members.reversed() where member.key == key { return member.value }
      return nil
    }
    set {
      guard let newValue else {
        members.removeAll { $0.key == key }
        return
      }
      if let index = members.lastIndex(where: { $0.key == key }) {
        members[index].value = newValue
      } else {
        members.append((key: key, value: newValue))
      }
    }
  }

  /// The keys, in order.
  package var keys: [String] { members.map(\.key) }

  /// Whether there are no members.
  package var isEmpty: Bool { members.isEmpty }

  /// The number of members.
  package var count: Int { members.count }

  package func makeIterator() -> IndexingIterator<[(key: String, value: JSON)]> {
    members.makeIterator()
  }

  package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    guard lhs.members.count == rhs.members.count else { return false }
    for (l, r) in zip(lhs.members, rhs.members) where l.key != r.key || l.value != r.value {
      return false
    }
    return true
  }

  package func hash(into hasher: inout Hasher) {
    hasher.combine(members.count)
    for member in members {
      hasher.combine(member.key)
      hasher.combine(member.value)
    }
  }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
  package init(stringLiteral value: String) { self = .string(value) }
  package init(integerLiteral value: Int) { self = .int(value) }
  package init(booleanLiteral value: Bool) { self = .bool(value) }
  package init(arrayLiteral elements: JSON...) { self = .array(elements) }
  package init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
  package init(nilLiteral: ()) { self = .null }
}

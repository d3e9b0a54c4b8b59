/// A JSON value that keeps what a round trip must keep: member order and the exact text of numbers.
///
/// Events, request bodies and `--param` values all pass through this type, so `export`/`import`
/// and pass-through filters reproduce their input rather than a re-formatted approximation.
public enum JSON: Sendable, Hashable {
  case null
  case bool(Bool)
  /// A number, stored as its JSON text (`0.95` stays `0.95`, `1e3` stays `1e3`).
  case number(JSONNumber)
  case string(String)
  case array([JSON])
  case object(JSONObject)

  /// The string, when this is a string.
  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The object, when this is an object.
  public var objectValue: JSONObject? {
    if case .object(let o) = self { return o }
    return nil
  }

  /// The elements, when this is an array.
  public var arrayValue: [JSON]? {
    if case .array(let a) = self { return a }
    return nil
  }

  /// The number as an integer, when this is a number that fits one exactly.
  public var intValue: Int? {
    if case .number(let n) = self { return n.intValue }
    return nil
  }

  /// The number as a double, when this is a number.
  public var doubleValue: Double? {
    if case .number(let n) = self { return n.doubleValue }
    return nil
  }

  /// The boolean, when this is `true` or `false`.
  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// Whether this is `null`.
  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// The member named `key`, when this is an object that has one.
  public subscript(key: String) -> JSON? {
    objectValue?[key]
  }

  /// A number from an integer.
  public static func int(_ value: Int) -> JSON { .number(JSONNumber(value)) }

  /// A number from a double; non-finite values (which JSON cannot carry) become `null`.
  public static func double(_ value: Double) -> JSON {
    value.isFinite ? .number(JSONNumber(value)) : .null
  }
}

/// The text of a JSON number, validated by the parser or produced from a Swift number.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
  /// The number exactly as it appears in JSON.
  public let text: String

  /// Wraps JSON number text without checking it; callers pass parser output or formatted numbers.
  init(uncheckedText: String) { self.text = uncheckedText }

  /// The JSON text of an integer.
  public init(_ value: Int) { self.text = String(value) }

  /// The JSON text of a finite double (integral values are written without a fraction).
  public init(_ value: Double) {
    if value == value.rounded(.towardZero), abs(value) < 1e15 {
      self.text = String(Int(value))
    } else {
      self.text = String(value)
    }
  }

  /// The value as an integer, when the text is an integer that fits.
  public var intValue: Int? {
    if let i = Int(text) { return i }
    if let d = Double(text), d == d.rounded(.towardZero), abs(d) < 9e15 { return Int(d) }
    return nil
  }

  /// The value as a double.
  public var doubleValue: Double? { Double(text) }

  public var description: String { text }
}

/// A JSON object with its members in their original order.
public struct JSONObject: Sendable, Hashable, Sequence {
  /// The members, in order. Duplicate keys are kept as parsed; lookups find the last one.
  public private(set) var members: [(key: String, value: JSON)]

  /// An empty object.
  public init() { members = [] }

  /// An object with these members, in this order.
  public init(_ members: [(String, JSON)]) {
    self.members = members.map { (key: $0.0, value: $0.1) }
  }

  /// The value of the last member named `key`; assigning replaces it in place or appends it,
  /// and assigning `nil` removes every member of that name.
  public subscript(key: String) -> JSON? {
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
  public var keys: [String] { members.map(\.key) }

  /// Whether there are no members.
  public var isEmpty: Bool { members.isEmpty }

  /// The number of members.
  public var count: Int { members.count }

  public func makeIterator() -> IndexingIterator<[(key: String, value: JSON)]> {
    members.makeIterator()
  }

  public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    guard lhs.members.count == rhs.members.count else { return false }
    for (l, r) in zip(lhs.members, rhs.members) where l.key != r.key || l.value != r.value {
      return false
    }
    return true
  }

  public func hash(into hasher: inout Hasher) {
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
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int) { self = .int(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(arrayLiteral elements: JSON...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
  public init(nilLiteral: ()) { self = .null }
}

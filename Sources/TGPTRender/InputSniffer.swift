import TGPTEvents

/// Tells an event stream from text (`tgpt-render --input auto`) by its first line.
///
/// Input is events when its first non-blank line is a JSON object with a string `type`
/// member; anything else, JSON that is not an event included, is text. Any string `type`
/// counts, not only the types this version renders, because the protocol has more
/// (`history`, `deleted`) and may grow.
package enum InputSniffer {
  /// What the input holds.
  package enum Verdict: Sendable, Equatable { case events, text }

  /// How far to read for a first line that has not ended: past this, a first line that has
  /// shown a string `type` member is an event (a long one), anything else is text.
  package static let limit = 64 << 10

  /// The verdict on the input's first `bytes`, or nil when more are needed. `atEnd`: the
  /// input ended after them. Text not starting with `{` is known from its first byte, so it
  /// streams without waiting; an event stream is known at the end of its first line.
  /// Input that is blank to its end gets nil.
  package static func verdict(_ bytes: UnsafeRawBufferPointer, atEnd: Bool) -> Verdict? {
    guard let start = bytes.firstIndex(where: { !isBlank($0) }) else { return nil }
    guard bytes[start] == UInt8(ascii: "{") else { return .text }
    let rest = bytes[start...]
    if let newline = rest.firstIndex(of: 0x0A) {
      return isEvent(UnsafeRawBufferPointer(rebasing: bytes[start..<newline])) ? .events : .text
    }
    if atEnd { return isEvent(UnsafeRawBufferPointer(rebasing: rest)) ? .events : .text }
    guard rest.count >= limit else { return nil }
    return hasTypeMember(UnsafeRawBufferPointer(rebasing: rest), whole: false) ? .events : .text
  }

  /// Whether one whole line is a JSON object with a string `type` member.
  package static func isEvent(_ line: UnsafeRawBufferPointer) -> Bool { hasTypeMember(line, whole: true) }

  /// Whether `bytes` open a JSON object with a string `type` member: the whole object, well
  /// formed, or (`whole` false, the start of a long line) its members as far as the `type`.
  private static func hasTypeMember(_ bytes: UnsafeRawBufferPointer, whole: Bool) -> Bool {
    var scanner = JSONScanner(bytes)
    do throws(ProtocolError) {
      var found = false
      try scanner.beginObject()
      while let key = try scanner.nextKey() {
        if key.equals("type"), try scanner.peekKind() == .string {
          found = true
          if !whole {
            _ = try scanner.readString()
            return true
          }
        }
        try scanner.skipValue()
      }
      if whole { try scanner.expectEnd() }
      return found
    } catch {
      return false
    }
  }

  /// Space, tab, CR or LF: what may come before the first event of an NDJSON stream.
  package static func isBlank(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
  }
}

import TGPTEvents

/// What the relay reads from a child's event line: the request id it is tagged with (and where
/// that id sits, so it can be replaced by the client's own) and whether it ends a turn.
/// Only the top-level members are looked at; values are skipped, not built.
package struct EventTags: Sendable, Equatable {
  /// The event's `id`, if it has one.
  package var id: String?
  /// The bytes of the `id` value, quotes included.
  package var idRange: Range<Int>?
  /// The event's `type`.
  package var type: String?
  /// An `error` event's `code`.
  package var code: String?

  /// Whether the event is a turn's last (`complete` or `error`).
  package var isTerminal: Bool { type == "complete" || type == "error" }

  /// The tags of one line, or nil when it is not a JSON object.
  package static func read(_ line: UnsafeRawBufferPointer) -> EventTags? {
    var scanner = JSONScanner(line)
    var tags = EventTags()
    do throws(ProtocolError) {
      try scanner.beginObject()
      while let key = try scanner.nextKey() {
        if key.equals("id"), try scanner.peekKind() == .string {
          let start = scanner.offset
          tags.id = try scanner.readString()
          tags.idRange = start..<scanner.offset
        } else if key.equals("type"), try scanner.peekKind() == .string {
          tags.type = try scanner.readString()
        } else if key.equals("code"), try scanner.peekKind() == .string {
          tags.code = try scanner.readString()
        } else {
          try scanner.skipValue()
        }
      }
    } catch {
      return nil
    }
    return tags
  }

  /// The tags of one line, or nil when it is not a JSON object.
  package static func read(_ line: [UInt8]) -> EventTags? { line.withUnsafeBytes { read($0) } }

  /// `line` with its `id` value replaced by `id`, or with the `id` member removed when the
  /// client gave none (the relay's own request ids never reach clients).
  package func retagged(_ line: UnsafeRawBufferPointer, id: String?) -> [UInt8] {
    guard let idRange else { return Array(line) }
    guard let id else { return Self.removingMember(line, valueRange: idRange) }
    var writer = JSONWriter(capacity: line.count + id.utf8.count)
    writer.bytes.append(contentsOf: line[..<idRange.lowerBound])
    writer.string(id)
    writer.bytes.append(contentsOf: line[idRange.upperBound...])
    return writer.bytes
  }

  /// `line` without the `"id":` member whose value is at `valueRange`, and its comma.
  private static func removingMember(_ line: UnsafeRawBufferPointer, valueRange: Range<Int>) -> [UInt8] {
    let key = Array("\"id\":".utf8)
    var start = valueRange.lowerBound - key.count
    var end = valueRange.upperBound
    guard start >= 0, Array(line[start..<valueRange.lowerBound]) == key else { return Array(line) }
    if start > 0, line[start - 1] == UInt8(ascii: ",") {
      start -= 1
    } else if end < line.count, line[end] == UInt8(ascii: ",") {
      end += 1
    }
    return Array(line[..<start]) + Array(line[end...])
  }

  /// The request id near the end of an event line that was too long to keep, from its last
  /// bytes: the child writes `"id":"…"` and `"session_id":"…"` last. Nil when not found.
  package static func trailingID(_ tail: [UInt8]) -> String? {
    let key = Array(",\"id\":".utf8)
    guard let start = tail.indices.reversed().first(where: { tail[$0...].starts(with: key) }) else { return nil }
    return Array(tail[(start + key.count)...]).withUnsafeBytes { bytes -> String? in
      var scanner = JSONScanner(bytes)
      return try? scanner.readString()
    }
  }
}

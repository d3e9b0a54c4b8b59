import TGPTEvents

/// What the relay reads from a child's event line: the request id it is tagged with (and where
/// that id sits, so it can be replaced by the client's own) and whether it ends a turn.
/// Only the top-level members are looked at; values are skipped, not built.
public struct EventTags: Sendable, Equatable {
  /// The event's `id`, if it has one.
  public var id: String?
  /// The bytes of the `id` value, quotes included.
  public var idRange: Range<Int>?
  /// The event's `type`.
  public var type: String?
  /// An `error` event's `code`.
  public var code: String?

  /// Whether the event is a turn's last (`complete` or `error`).
  public var isTerminal: Bool { type == "complete" || type == "error" }

  /// The tags of one line, or nil when it is not a JSON object.
  public static func read(_ line: UnsafeRawBufferPointer) -> EventTags? {
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
  public static func read(_ line: [UInt8]) -> EventTags? { line.withUnsafeBytes { read($0) } }

  /// `line` with its `id` value replaced by `id`.
  public func retagged(_ line: UnsafeRawBufferPointer, id: String) -> [UInt8] {
    guard let idRange else { return Array(line) }
    var writer = JSONWriter(capacity: line.count + id.utf8.count)
    writer.bytes.append(contentsOf: line[..<idRange.lowerBound])
    writer.string(id)
    writer.bytes.append(contentsOf: line[idRange.upperBound...])
    return writer.bytes
  }
}

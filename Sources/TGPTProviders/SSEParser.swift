/// A byte-level parser for `text/event-stream`, following the WHATWG "event stream
/// interpretation" rules, with no I/O.
///
/// Lines end at CR, LF or CRLF (a CR at the end of one read and an LF at the start of the next
/// are one break); a leading BOM is dropped; the field name ends at the first colon and one
/// space after it is removed; `:` lines are comments (counted, since providers send them as
/// keep-alives). Event data stays bytes until the event is complete, so a multi-byte character
/// split across reads is never decoded in halves. One non-standard field is understood:
/// llama.cpp's `error:` line, delivered as an event of type `error`.
public struct SSEParser {
  /// One dispatched event; `data` is valid only during the callback.
  public struct Message {
    /// The `event:` field, if any.
    public var type: String?
    /// The joined `data:` lines, without the final newline.
    public var data: UnsafeRawBufferPointer
    /// The last `id:` seen so far in the stream.
    public var lastEventID: String?
  }

  /// The default cap on one line or one event's data: 8 MiB.
  public static let defaultMaxEventBytes = 8 << 20

  public let maxEventBytes: Int
  /// Comment lines seen so far (liveness signals such as `: OPENROUTER PROCESSING`).
  public private(set) var commentCount = 0

  private var line: [UInt8] = []
  private var data: [UInt8] = []
  private var errorData: [UInt8]?
  private var eventType: String?
  private var lastEventID: String?
  private var skipLeadingLF = false
  private var atStreamStart = true

  public init(maxEventBytes: Int = SSEParser.defaultMaxEventBytes) {
    self.maxEventBytes = maxEventBytes
  }

  /// Feeds one read of the body, calling `onMessage` for each complete event.
  public mutating func feed(
    _ bytes: UnsafeRawBufferPointer, _ onMessage: (Message) throws -> Void
  ) throws {
    var i = 0
    let count = bytes.count
    if skipLeadingLF, count > 0 {
      skipLeadingLF = false
      if bytes[0] == 0x0A { i = 1 }
    }
    var lineStart = i
    while i < count {
      let byte = bytes[i]
      if byte != 0x0A && byte != 0x0D {
        i += 1
        continue
      }
      let piece = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<i])
      if line.isEmpty {
        try processLine(piece, onMessage)
      } else {
        line.append(contentsOf: piece)
        let whole = line
        line.removeAll(keepingCapacity: true)
        try whole.withUnsafeBytes { try processLine($0, onMessage) }
      }
      i += 1
      if byte == 0x0D {
        if i < count {
          if bytes[i] == 0x0A { i += 1 }
        } else {
          skipLeadingLF = true
        }
      }
      lineStart = i
    }
    if lineStart < count {
      line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[lineStart..<count]))
      if line.count > maxEventBytes { throw ProviderError.eventTooLarge(limit: maxEventBytes) }
    }
  }

  /// Ends the stream. An unterminated event is discarded (WHATWG), except a pending `[DONE]`,
  /// which servers often send without the final blank line.
  public mutating func finish(_ onMessage: (Message) throws -> Void) throws {
    if !line.isEmpty {
      let whole = line
      line.removeAll()
      try whole.withUnsafeBytes { try processLine($0, onMessage) }
    }
    if data.elementsEqual("[DONE]\n".utf8) { try dispatch(onMessage) }
    data.removeAll()
    errorData = nil
    eventType = nil
  }

  private mutating func processLine(
    _ raw: UnsafeRawBufferPointer, _ onMessage: (Message) throws -> Void
  ) throws {
    var lineBytes = raw
    if atStreamStart {
      atStreamStart = false
      if lineBytes.starts(with: [0xEF, 0xBB, 0xBF]) {
        lineBytes = UnsafeRawBufferPointer(rebasing: lineBytes.dropFirst(3))
      }
    }
    if lineBytes.isEmpty {
      try dispatch(onMessage)
      return
    }
    if lineBytes[0] == UInt8(ascii: ":") {
      commentCount += 1
      return
    }
    let colon = lineBytes.firstIndex(of: UInt8(ascii: ":"))
    let name = UnsafeRawBufferPointer(rebasing: lineBytes[..<(colon ?? lineBytes.count)])
    var value = UnsafeRawBufferPointer(rebasing: lineBytes[(colon.map { $0 + 1 } ?? lineBytes.count)...])
    if let first = value.first, first == 0x20 { value = UnsafeRawBufferPointer(rebasing: value.dropFirst()) }

    if name.elementsEqual("data".utf8) {
      guard data.count + value.count < maxEventBytes else { throw ProviderError.eventTooLarge(limit: maxEventBytes) }
      data.append(contentsOf: value)
      data.append(0x0A)
    } else if name.elementsEqual("event".utf8) {
      eventType = String(decoding: value, as: UTF8.self)
    } else if name.elementsEqual("id".utf8) {
      if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
    } else if name.elementsEqual("error".utf8) {
      // llama.cpp (through 2025) reports failures in this non-standard field; dropping it, as a
      // spec parser would, turns a failure into an empty "success".
      errorData = Array(value)
    }
  }

  private mutating func dispatch(_ onMessage: (Message) throws -> Void) throws {
    defer {
      data.removeAll(keepingCapacity: true)
      errorData = nil
      eventType = nil
    }
    if let errorData {
      try errorData.withUnsafeBytes {
        try onMessage(Message(type: "error", data: $0, lastEventID: lastEventID))
      }
    }
    guard !data.isEmpty else { return }
    try data.withUnsafeBytes { buffer in
      let payload = UnsafeRawBufferPointer(rebasing: buffer.dropLast())
      try onMessage(Message(type: eventType, data: payload, lastEventID: lastEventID))
    }
  }
}

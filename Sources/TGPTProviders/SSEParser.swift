#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A byte-level parser for `text/event-stream`, following the WHATWG "event stream
/// interpretation" rules, with no I/O.
///
/// Lines end at CR, LF or CRLF (a CR at the end of one read and an LF at the start of the next
/// are one break); a leading BOM is dropped; the field name ends at the first colon and one
/// space after it is removed; `:` lines are comments (counted, since providers send them as
/// keep-alives). Event data stays bytes until the event is complete, so a multi-byte character
/// split across reads is never decoded in halves. One non-standard field is understood:
/// llama.cpp's `error:` line, delivered as an event of type `error`.
package struct SSEParser {
  /// One dispatched event; `data` is valid only during the callback.
  package struct Message {
    /// The `event:` field, if any.
    package var type: String?
    /// The joined `data:` lines, without the final newline.
    package var data: UnsafeRawBufferPointer
    /// The last `id:` seen so far in the stream.
    package var lastEventID: String?
  }

  /// The default cap on one line or one event's data: 8 MiB.
  package static let defaultMaxEventBytes = 8 << 20

  package let maxEventBytes: Int
  /// Comment lines seen so far (liveness signals such as `: OPENROUTER PROCESSING`).
  package private(set) var commentCount = 0

  private var line: [UInt8] = []
  private var data: [UInt8] = []
  /// A single `data:` value still inside the current read, not yet copied into `data`.
  private var pendingData: UnsafeRawBufferPointer?
  private var errorData: [UInt8]?
  private var eventType: String?
  private var lastEventID: String?
  private var skipLeadingLF = false
  private var atStreamStart = true

  package init(maxEventBytes: Int = SSEParser.defaultMaxEventBytes) {
    self.maxEventBytes = maxEventBytes
  }

  /// Feeds one read of the body, calling `onMessage` for each complete event.
  package mutating func feed(
    _ bytes: UnsafeRawBufferPointer, _ onMessage: (Message) throws -> Void
  ) throws {
    guard let base = bytes.baseAddress else { return }
    let count = bytes.count
    var i = 0
    if skipLeadingLF, count > 0 {
      skipLeadingLF = false
      if bytes[0] == 0x0A { i = 1 }
    }
    defer { materializePendingData() }
    while i < count {
      // The line ends at the first LF, or at an earlier CR (rare: providers send LF).
      let lf = memchr(base + i, 0x0A, count - i).map { base.distance(to: UnsafeRawPointer($0)) }
      let searchEnd = lf ?? count
      let cr = memchr(base + i, 0x0D, searchEnd - i).map { base.distance(to: UnsafeRawPointer($0)) }
      guard let end = cr ?? lf else {
        materializePendingData()
        line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<count]))
        if line.count > maxEventBytes { throw ProviderError.eventTooLarge(limit: maxEventBytes) }
        return
      }
      let piece = UnsafeRawBufferPointer(rebasing: bytes[i..<end])
      if line.isEmpty {
        try processLine(piece, inRead: true, onMessage)
      } else {
        line.append(contentsOf: piece)
        let whole = line
        line.removeAll(keepingCapacity: true)
        try whole.withUnsafeBytes { try processLine($0, inRead: false, onMessage) }
      }
      i = end + 1
      if bytes[end] == 0x0D {
        if i < count {
          if bytes[i] == 0x0A { i += 1 }
        } else {
          skipLeadingLF = true
        }
      }
    }
  }

  /// Ends the stream. An unterminated event is discarded (WHATWG), except a pending `[DONE]`,
  /// which servers often send without the final blank line.
  package mutating func finish(_ onMessage: (Message) throws -> Void) throws {
    if !line.isEmpty {
      let whole = line
      line.removeAll()
      try whole.withUnsafeBytes { try processLine($0, inRead: false, onMessage) }
    }
    if data.elementsEqual("[DONE]\n".utf8) { try dispatch(onMessage) }
    data.removeAll()
    errorData = nil
    eventType = nil
  }

  /// Handles one line; `inRead` says whether it points into the caller's current read (which
  /// stays valid until `feed` returns) rather than into a temporary copy.
  private mutating func processLine(
    _ raw: UnsafeRawBufferPointer, inRead: Bool, _ onMessage: (Message) throws -> Void
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

    if Self.is(name, "data") {
      guard data.count + value.count < maxEventBytes else { throw ProviderError.eventTooLarge(limit: maxEventBytes) }
      // The common event is one `data:` line followed by a blank line in the same read: keep
      // a view of it instead of copying; it is copied only if the read ends first.
      if inRead, data.isEmpty, pendingData == nil {
        pendingData = value
      } else {
        materializePendingData()
        data.append(contentsOf: value)
        data.append(0x0A)
      }
    } else if Self.is(name, "event") {
      eventType = String(decoding: value, as: UTF8.self)
    } else if Self.is(name, "id") {
      if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
    } else if Self.is(name, "error") {
      // llama.cpp (through 2025) reports failures in this non-standard field; dropping it, as a
      // spec parser would, turns a failure into an empty "success".
      errorData = Array(value)
    }
  }

  private mutating func dispatch(_ onMessage: (Message) throws -> Void) throws {
    defer {
      data.removeAll(keepingCapacity: true)
      pendingData = nil
      errorData = nil
      eventType = nil
    }
    if let errorData {
      try errorData.withUnsafeBytes {
        try onMessage(Message(type: "error", data: $0, lastEventID: lastEventID))
      }
    }
    if let pending = pendingData {
      pendingData = nil
      try onMessage(Message(type: eventType, data: pending, lastEventID: lastEventID))
      return
    }
    guard !data.isEmpty else { return }
    try data.withUnsafeBytes { buffer in
      let payload = UnsafeRawBufferPointer(rebasing: buffer.dropLast())
      try onMessage(Message(type: eventType, data: payload, lastEventID: lastEventID))
    }
  }

  /// Copies a pending view of data into the buffer (before the read it points into goes away,
  /// or before more data lines join it).
  private mutating func materializePendingData() {
    guard let pending = pendingData else { return }
    pendingData = nil
    data.append(contentsOf: pending)
    data.append(0x0A)
  }

  @inline(__always)
  private static func `is`(_ name: UnsafeRawBufferPointer, _ field: StaticString) -> Bool {
    guard name.count == field.utf8CodeUnitCount, let base = name.baseAddress else { return false }
    return memcmp(base, field.utf8Start, name.count) == 0
  }
}

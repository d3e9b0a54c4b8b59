/// Reads NDJSON events from bytes: splits lines (any read sizes, lines up to 8 MiB), decodes
/// each, and reports a malformed or over-long line as a `ProtocolError` naming its line
/// number — then goes on with the next line, so one bad line costs one event, not the stream.
public struct EventReader {
  private var splitter: NDJSONSplitter

  public init(maxLineBytes: Int = NDJSONSplitter.defaultMaxLineBytes) {
    splitter = NDJSONSplitter(maxLineBytes: maxLineBytes)
  }

  /// Feeds one read; `body` gets each line's event, or the error for that line.
  public mutating func feed<E: Error>(
    _ bytes: UnsafeRawBufferPointer, _ body: (Result<Event, ProtocolError>) throws(E) -> Void
  ) throws(E) {
    let limit = splitter.maxLineBytes
    try splitter.feed(bytes) { item throws(E) in try body(Self.decode(item, limit: limit)) }
  }

  /// Ends the input (a last line without a newline still counts).
  public mutating func finish<E: Error>(_ body: (Result<Event, ProtocolError>) throws(E) -> Void) throws(E) {
    let limit = splitter.maxLineBytes
    try splitter.finish { item throws(E) in try body(Self.decode(item, limit: limit)) }
  }

  private static func decode(_ item: NDJSONSplitter.Item, limit: Int) -> Result<Event, ProtocolError> {
    switch item {
    case .overlong(let number, _):
      return .failure(.lineTooLong(line: number, limit: limit))
    case .line(let bytes, let number):
      do throws(ProtocolError) {
        return .success(try Event.decode(bytes))
      } catch {
        return .failure(.badLine(line: number, error.description))
      }
    }
  }

  /// Reads a whole file descriptor to its end, calling `body` per line as lines arrive.
  public static func read<E: Error>(
    fd: Int32, _ body: (Result<Event, ProtocolError>) throws(E) -> Void
  ) throws(E) {
    var reader = EventReader()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
    defer { buffer.deallocate() }
    while true {
      let count: Int
      do throws(ProtocolError) {
        count = try FileIO.read(fd, into: buffer)
      } catch {
        try body(.failure(error))
        return
      }
      if count == 0 { break }
      try reader.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), body)
    }
    try reader.finish(body)
  }
}

import Synchronization

/// Writes events as NDJSON to a file descriptor: one compact line per event, written with one
/// `write` call as soon as it is produced (no buffering), safe to share between tasks.
public final class EventWriter: Sendable {
  private let fd: Int32
  private let buffer = Mutex(JSONWriter(capacity: 1024))

  /// A writer for `fd` (standard output by default).
  public init(fd: Int32 = 1) { self.fd = fd }

  /// Writes one event line. Throws `ProtocolError` (`isOutputClosed` on EPIPE).
  public func write(_ event: Event) throws(ProtocolError) {
    try buffer.withLock { writer throws(ProtocolError) in
      writer.reset()
      event.encode(into: &writer)
      writer.byte(UInt8(ascii: "\n"))
      try FileIO.writeAll(fd, writer.bytes)
    }
  }

  /// Writes one pre-encoded line (a newline is added when missing).
  public func writeLine(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) {
    try buffer.withLock { writer throws(ProtocolError) in
      writer.reset()
      writer.bytes.append(contentsOf: bytes)
      if bytes.last != UInt8(ascii: "\n") { writer.byte(UInt8(ascii: "\n")) }
      try FileIO.writeAll(fd, writer.bytes)
    }
  }
}

import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A pipe that wakes a thread blocked in `poll`: a task's cancellation handler rings it, the
/// poll loop sees its read end become readable.
///
/// Ringing after `close` does nothing, so a late cancellation never writes to a descriptor
/// number that has since been reused.
final class WakePipe: Sendable {
  /// The end to poll for reading.
  let readEnd: Int32
  private let writeEnd: Guarded<Int32>

  /// A new pipe, or nil when the process is out of descriptors.
  init?() {
    guard let ends = FileIO.makePipe() else { return nil }
    readEnd = ends.read
    writeEnd = Guarded(ends.write)
    _ = fcntl(ends.write, F_SETFL, fcntl(ends.write, F_GETFL) | O_NONBLOCK)
  }

  /// Makes the read end readable (once is enough; a full pipe is already readable).
  func ring() {
    writeEnd.withLock { fd in
      guard fd >= 0 else { return }
      var byte: UInt8 = 1
      _ = write(fd, &byte, 1)
    }
  }

  /// Whether it has been rung (does not block).
  var hasRung: Bool {
    var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
    return poll(&entry, 1, 0) == 1
  }

  /// Closes both ends. Call once, when nobody polls the read end any more.
  func close() {
    writeEnd.withLock { fd in
      if fd >= 0 { _ = systemClose(fd) }
      fd = -1
    }
    _ = systemClose(readEnd)
  }
}

private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

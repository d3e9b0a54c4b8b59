extension FileIO {
  /// Reads `fd` until end of input, 64 KiB at a time, handing each read to `body` as it comes;
  /// stops early when `body` returns false. A failed read throws (EINTR is retried). Blocking:
  /// call it on a thread of its own (`DedicatedThread`), never on the concurrency pool.
  package static func forEachRead(
    _ fd: Int32, _ body: (UnsafeRawBufferPointer) throws(ProtocolError) -> Bool
  ) throws(ProtocolError) {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
    defer { buffer.deallocate() }
    while true {
      let count = try read(fd, into: buffer)
      guard count > 0, try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) else { return }
    }
  }

  /// Reads `fd` until end of input and hands `body` its lines, in order: each complete line (a
  /// last one without a newline too) or the number of one over `maxLineBytes` (see
  /// `NDJSONSplitter`). A failed read throws, after the lines before it. Blocking, like
  /// `forEachRead`.
  package static func forEachLine(
    fd: Int32, maxLineBytes: Int = NDJSONSplitter.defaultMaxLineBytes, reportsOverlongAtEnd: Bool = false,
    _ body: (NDJSONSplitter.Item) -> Void
  ) throws(ProtocolError) {
    var splitter = NDJSONSplitter(maxLineBytes: maxLineBytes, reportsOverlongAtEnd: reportsOverlongAtEnd)
    try forEachRead(fd) { bytes in
      splitter.feed(bytes, body)
      return true
    }
    splitter.finish(body)
  }
}

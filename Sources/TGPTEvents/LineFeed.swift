import Dispatch

/// One unit of line-oriented input.
public enum InputLine: Sendable {
  /// A complete, non-blank line (without its `\n` or `\r\n`) and its 1-based number.
  case line([UInt8], number: Int)
  /// A line over the length limit, which was dropped.
  case overlong(number: Int)
  /// Reading failed; no more lines follow.
  case failed(ProtocolError)
}

/// NDJSON lines read from a file descriptor on a thread of their own (blocking reads never
/// tie up the cooperative pool), delivered as an async sequence.
///
/// At most `window` lines are handed out but not yet `release`d: a long-running consumer
/// releases a line when its work is done, so input that arrives faster than it is handled
/// waits in the pipe instead of in memory. Lines `urgent` picks out (cancels, which must reach
/// the consumer while the window is full of the work they stop) are handed out at once; they
/// are released like any other, and the window is made whole before the next ordinary line.
public final class LineFeed: Sendable {
  /// The lines, in order; the sequence ends at end of input.
  public let lines: AsyncStream<InputLine>
  private let permits: DispatchSemaphore

  /// Starts reading `fd`.
  public init(
    fd: Int32, window: Int, maxLineBytes: Int = NDJSONSplitter.defaultMaxLineBytes,
    urgent: (@Sendable ([UInt8]) -> Bool)? = nil
  ) {
    let (lines, continuation) = AsyncStream.makeStream(of: InputLine.self)
    let permits = DispatchSemaphore(value: max(1, window))
    self.lines = lines
    self.permits = permits
    DispatchQueue(label: "tgpt.stdin").async {
      var splitter = NDJSONSplitter(maxLineBytes: maxLineBytes)
      // Permits that urgent lines went ahead without; taken back before the next ordinary line.
      var owed = 0
      let deliver = { (item: NDJSONSplitter.Item) in
        switch item {
        case .line(let bytes, let number):
          let line = Array(bytes)
          if let urgent, urgent(line) {
            owed += 1
          } else {
            while owed > 0 {
              permits.wait()
              owed -= 1
            }
            permits.wait()
          }
          continuation.yield(.line(line, number: number))
        case .overlong(let number):
          permits.wait()
          continuation.yield(.overlong(number: number))
        }
      }
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
      defer { buffer.deallocate() }
      do throws(ProtocolError) {
        while true {
          let count = try FileIO.read(fd, into: buffer)
          if count == 0 { break }
          splitter.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), deliver)
        }
        splitter.finish(deliver)
      } catch {
        continuation.yield(.failed(error))
      }
      continuation.finish()
    }
  }

  /// Marks one delivered line as handled (exactly once per `.line` or `.overlong`).
  public func release() { permits.signal() }
}

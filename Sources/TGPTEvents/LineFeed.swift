import Dispatch
import Synchronization

/// One unit of line-oriented input.
package enum InputLine: Sendable {
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
package final class LineFeed: Sendable {
  /// The lines, in order; the sequence ends at end of input.
  package let lines: AsyncStream<InputLine>
  private let permits: DispatchSemaphore
  private let held = HeldLine()

  /// How many times the reader has had to wait for room in the window, and the number of the
  /// line it has in hand while it waits (nil when it is not waiting): what a test can look at
  /// instead of waiting for a while.
  var windowWaits: (count: Int, line: Int?) {
    let count = held.waits.load(ordering: .acquiring)
    let number = held.number.load(ordering: .acquiring)
    return (count, number == 0 ? nil : number)
  }

  /// Starts reading `fd`.
  package init(
    fd: Int32, window: Int, maxLineBytes: Int = NDJSONSplitter.defaultMaxLineBytes,
    urgent: (@Sendable ([UInt8]) -> Bool)? = nil
  ) {
    let (lines, continuation) = AsyncStream.makeStream(of: InputLine.self)
    // Made empty and filled: libdispatch traps (SIGILL) when a semaphore is freed holding less
    // than it was made with, as a feed whose consumer stopped without releasing its lines would.
    let permits = DispatchSemaphore(value: 0)
    for _ in 0..<max(1, window) { permits.signal() }
    let held = held
    self.lines = lines
    self.permits = permits
    DedicatedThread.start {
      // Permits that urgent lines went ahead without; taken back before the next ordinary line.
      var owed = 0
      let take = { (number: Int) in
        if permits.wait(timeout: .now()) == .timedOut {
          held.number.store(number, ordering: .releasing)
          held.waits.add(1, ordering: .releasing)
          permits.wait()
          held.number.store(0, ordering: .releasing)
        }
      }
      let deliver = { (item: NDJSONSplitter.Item) in
        switch item {
        case .line(let bytes, let number):
          let line = Array(bytes)
          if let urgent, urgent(line) {
            owed += 1
          } else {
            while owed > 0 {
              take(number)
              owed -= 1
            }
            take(number)
          }
          continuation.yield(.line(line, number: number))
        case .overlong(let number, _):
          take(number)
          continuation.yield(.overlong(number: number))
        }
      }
      do throws(ProtocolError) {
        try FileIO.forEachLine(fd: fd, maxLineBytes: maxLineBytes, deliver)
      } catch {
        continuation.yield(.failed(error))
      }
      continuation.finish()
    }
  }

  /// Marks one delivered line as handled (exactly once per `.line` or `.overlong`).
  package func release() { permits.signal() }
}

/// The line `LineFeed`'s reader waits with (0: none) and how often it waited, shared with
/// its thread.
private final class HeldLine: Sendable {
  let number = Atomic<Int>(0)
  let waits = Atomic<Int>(0)
}

import TGPTEvents

/// Writes whole lines to a child's stdin in the order they were sent, on a thread of its own
/// (a child that does not read must not block a task), and closes it after the last one.
///
/// Only the writing thread writes to or closes the descriptor, so a line is never written to
/// a descriptor number that was closed and reused.
final class LineWriter: Sendable {
  /// Told whether the line reached the pipe (false: the reader has gone, or the writer was
  /// closed before the line's turn).
  typealias Delivery = @Sendable (Bool) -> Void

  private struct State {
    var queue: [(line: [UInt8], delivery: Delivery?)] = []
    var writing = false
    var closeRequested = false
    var closed = false
  }

  private let fd: Int32
  private let state = Guarded(State())

  init(fd: Int32) { self.fd = fd }

  /// Queues `line`; `delivery` learns whether it was written.
  func send(_ line: [UInt8], delivery: Delivery? = nil) {
    let start = state.withLock { state -> Bool? in
      guard !state.closeRequested else { return nil }
      state.queue.append((line, delivery))
      defer { state.writing = true }
      return !state.writing
    }
    guard let start else {
      delivery?(false)
      return
    }
    if start { DedicatedThread.start { [self] in withSIGPIPEBlocked { drain() } } }
  }

  /// Closes the descriptor once the queued lines are written (the child sees end of input).
  func close() {
    let start = state.withLock { state -> Bool in
      state.closeRequested = true
      defer { state.writing = true }
      return !state.writing
    }
    if start { DedicatedThread.start { [self] in withSIGPIPEBlocked { drain() } } }
  }

  private func drain() {
    var failed = false
    while true {
      let (batch, closeNow) = state.withLock { state -> ([(line: [UInt8], delivery: Delivery?)], Bool) in
        guard state.queue.isEmpty else {
          defer { state.queue = [] }
          return (state.queue, false)
        }
        state.writing = false
        guard state.closeRequested, !state.closed else { return ([], false) }
        state.closed = true
        return ([], true)
      }
      if batch.isEmpty {
        if closeNow { closeAll(fd) }
        return
      }
      for item in batch {
        if !failed {
          do throws(ProtocolError) { try FileIO.writeAll(fd, item.line) } catch { failed = true }
        }
        item.delivery?(!failed)
      }
    }
  }
}

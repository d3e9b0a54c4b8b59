/// Writes events as NDJSON to a file descriptor: one compact line per event, safe to share
/// between tasks.
///
/// A line goes out at once, written by the task that made it, unless another task is writing
/// at that moment: the line then waits in a queue, and that task writes it, with every other
/// line queued meanwhile, in one `write` right after its own. A burst from many tasks thus
/// costs a few system calls rather than one per event (and the tasks do not queue up on a lock
/// held across a system call), while a lone event never waits for a flush.
package final class EventWriter: Sendable {
  private let fd: Int32
  /// Bytes queued past which a task waits for the writer (as it would wait on a full pipe)
  /// rather than queueing more: a reader that stops reading does not grow the memory.
  private let maxQueued: Int
  private let queue = Guarded(Queue())
  /// Held while writing: one writer at a time keeps the lines in order.
  private let writing = Guarded(())

  private struct Queue {
    var pending = JSONWriter(capacity: 1024)
    /// The buffer last written, kept for the next batch (no allocation per batch).
    var spare: [UInt8] = []
    /// Why writing failed: every later line fails the same way.
    var failure: ProtocolError?
  }

  /// A writer for `fd` (standard output by default).
  package init(fd: Int32 = 1, maxQueuedBytes: Int = 1 << 20) {
    self.fd = fd
    self.maxQueued = maxQueuedBytes
  }

  /// Writes one event line. Throws `ProtocolError` (`isOutputClosed` on EPIPE).
  package func write(_ event: Event) throws(ProtocolError) {
    let full = try queue.withLock { queue throws(ProtocolError) -> Bool in
      if let failure = queue.failure { throw failure }
      event.encode(into: &queue.pending)
      queue.pending.byte(UInt8(ascii: "\n"))
      return queue.pending.bytes.count > maxQueued
    }
    try flush(waiting: full)
  }

  /// Writes one pre-encoded line (a newline is added when missing).
  package func writeLine(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) {
    let full = try queue.withLock { queue throws(ProtocolError) -> Bool in
      if let failure = queue.failure { throw failure }
      queue.pending.bytes.append(contentsOf: bytes)
      if bytes.last != UInt8(ascii: "\n") { queue.pending.byte(UInt8(ascii: "\n")) }
      return queue.pending.bytes.count > maxQueued
    }
    try flush(waiting: full)
  }

  /// Writes what is queued, unless another task is writing (it then writes it too); with
  /// `waiting`, waits for that task instead.
  private func flush(waiting: Bool) throws(ProtocolError) {
    var waiting = waiting
    while true {
      let wrote: Void?
      if waiting {
        wrote = try writing.withLock { _ throws(ProtocolError) in try writeQueued() }
      } else {
        wrote = try writing.withLockIfAvailable { _ throws(ProtocolError) in try writeQueued() }
      }
      // Another task holds the lock: it writes this line before letting go (see below).
      guard wrote != nil else { return }
      // A task that found the lock taken just before it was let go left its line queued.
      guard queue.withLock({ !$0.pending.bytes.isEmpty && $0.failure == nil }) else { return }
      waiting = false
    }
  }

  /// Writes batches until the queue is empty; only with `writing` held.
  private func writeQueued() throws(ProtocolError) {
    while true {
      var batch = queue.withLock { queue in
        swap(&queue.pending.bytes, &queue.spare)
        let batch = queue.spare
        queue.spare = []
        return batch
      }
      if batch.isEmpty {
        queue.withLock { $0.spare = batch }
        return
      }
      do throws(ProtocolError) {
        try FileIO.writeAll(fd, batch)
      } catch {
        queue.withLock { $0.failure = error }
        throw error
      }
      batch.removeAll(keepingCapacity: true)
      queue.withLock { $0.spare = batch }
    }
  }
}

/// Takes a connection's event lines in place of `RelayConnection.events` (see
/// `RelayConnection.attach(_:)`): a WebSocket server writes them straight to the socket,
/// with no task woken per event.
package protocol RelayEventSink: AnyObject, Sendable {
  /// Queues one event line. Called on the relay's reader thread: must never block.
  func enqueue(_ line: [UInt8])
  /// No more lines: after writing those queued (`afterQueued`), or now, dropping them. The sink
  /// then calls `RelayConnection.finishEvents()`.
  func end(afterQueued: Bool)
}

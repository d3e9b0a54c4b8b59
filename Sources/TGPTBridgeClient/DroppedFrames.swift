import TGPTEvents

/// What the WebSocket library dropped on one connection without telling the reader: it
/// catches a failure inside a frame (a compressed message over the limit once inflated),
/// closes the connection and goes on reading, so the conversation learns of it only here.
final class DroppedFrames: Sendable {
  private let first = Guarded<ClientFailure?>(nil)

  /// Records a drop; the first one is the reason the conversation fails.
  func record(_ failure: ClientFailure) {
    first.withLock { if $0 == nil { $0 = failure } }
  }

  /// The first drop, if any.
  var failure: ClientFailure? { first.withLock { $0 } }
}

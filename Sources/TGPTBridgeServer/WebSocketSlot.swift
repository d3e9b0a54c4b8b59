import HummingbirdWebSocket
import NIOCore
import TGPTEvents

/// Holds a connection's WebSocket handler reference until the connection closes, then lets go.
///
/// hummingbird-websocket stores the request context inside the reference that the context
/// itself holds: a cycle, so without this every upgraded connection — its context and, through
/// `ChatContext.channel`, its whole NIO channel with buffers — stayed in memory forever
/// (about 5 KB per connection, measured). Dropping the reference at close breaks the cycle.
final class WebSocketSlot: Sendable {
  private let reference = Guarded<WebSocketHandlerReference<ChatContext>?>(WebSocketHandlerReference())

  /// Lets go of the reference once `channel` has closed.
  init(releasingAtCloseOf channel: any Channel) {
    channel.closeFuture.whenComplete { [self] _ in reference.withLock { $0 = nil } }
  }

  /// The reference while the connection is open; after, an empty one.
  var current: WebSocketHandlerReference<ChatContext> { reference.withLock { $0 } ?? WebSocketHandlerReference() }
}

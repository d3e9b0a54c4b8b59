import NIOCore
import TGPTBridge

/// Fails a WebSocket connection whose client sends a frame without a mask (RFC 6455 §5.1: a
/// server MUST; swift-websocket unmasks what it gets and cannot tell): a 1002 close, then the
/// connection closes. Sits before the frame decoder and reads frame headers only.
final class MaskedFramesOnly: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer
  typealias OutboundOut = ByteBuffer

  private var scanner: MaskedFrameScanner
  private var failed = false

  /// `skipping` bytes of the first read are the end of the request head, not frames.
  init(skipping: Int) { scanner = MaskedFrameScanner(skipping: skipping) }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !failed else { return }
    guard scanner.scan(unwrapInboundIn(data).readableBytesView) else {
      failed = true
      // Close 1002 (protocol error), written unmasked as servers do, then the connection.
      let channel = context.channel
      context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: [0x88, 0x02, 0x03, 0xEA]))).whenComplete { _ in
        channel.close(promise: nil)
      }
      return
    }
    context.fireChannelRead(data)
  }
}

package import NIOWebSocket
import WSCompression
package import WSCore

/// permessage-deflate that tells of the messages it cannot inflate. swift-websocket's own
/// drops such a message and closes with 1011 (internal error), and neither side would know why
/// (the answer just ends short, or never ends); this one reports the failure to `onDrop` and
/// makes the close 1009 (message too big), as for an uncompressed message over the limit.
package struct LimitedDeflate: WebSocketExtension {
  let inner: any WebSocketExtension
  let onDrop: @Sendable (_ overLimit: Bool, _ error: any Error) -> Void

  /// Messages shorter than this go uncompressed (compressing them costs more than it saves):
  /// a server may then write them without the extension, as they would be sent alike.
  package static let minimumCompressedSize = 256

  package var name: String { inner.name }
  package var reservedBits: WebSocketFrame.ReservedBits { inner.reservedBits }

  /// permessage-deflate inflating messages up to `limit` bytes; `onDrop` hears of each message
  /// dropped, and whether it was over the limit (else it did not inflate).
  package static func factory(
    limit: Int, onDrop: @escaping @Sendable (_ overLimit: Bool, _ error: any Error) -> Void
  ) -> WebSocketExtensionFactory {
    WebSocketExtensionFactory {
      Builder(
        inner: WebSocketExtensionFactory.perMessageDeflate(
          maxDecompressedFrameSize: limit, minFrameSizeToCompress: minimumCompressedSize
        ).build(), onDrop: onDrop)
    }
  }

  package func processReceivedFrame(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws
    -> WebSocketFrame
  {
    do {
      return try await inner.processReceivedFrame(frame, context: context)
    } catch {
      // compress-nio's overflow is the usual cause; anything else is a corrupt stream.
      onDrop("\(error)".contains("bufferOverflow"), error)
      // The library maps this error, and only this one, to close code 1009.
      throw NIOWebSocketError.invalidFrameLength
    }
  }

  package func processFrameToSend(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws
    -> WebSocketFrame
  {
    try await inner.processFrameToSend(frame, context: context)
  }

  package func shutdown() async { await inner.shutdown() }

  /// Negotiates as permessage-deflate does, wrapping the extension it makes.
  struct Builder: WebSocketExtensionBuilder {
    static var name: String { "permessage-deflate" }
    let inner: any WebSocketExtensionBuilder
    let onDrop: @Sendable (_ overLimit: Bool, _ error: any Error) -> Void

    func clientRequestHeader() -> String { inner.clientRequestHeader() }

    func serverReponseHeader(to request: WebSocketExtensionHTTPParameters) -> String? {
      inner.serverReponseHeader(to: request)
    }

    func serverExtension(from request: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
      try inner.serverExtension(from: request).map { LimitedDeflate(inner: $0, onDrop: onDrop) }
    }

    func clientExtension(from response: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
      try inner.clientExtension(from: response).map { LimitedDeflate(inner: $0, onDrop: onDrop) }
    }
  }
}

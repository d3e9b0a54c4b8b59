import NIOWebSocket
import WSClient
import WSCompression

/// permessage-deflate that tells of the messages it cannot inflate. The library's own drops
/// such a message and closes with 1011, and the conversation would never know (the answer
/// just ends short, or never ends); this one records the failure in `dropped` and makes the
/// close 1009 (message too big).
struct ReportingDeflate: WebSocketExtension {
  let inner: any WebSocketExtension
  let limit: Int
  let dropped: DroppedFrames

  var name: String { inner.name }
  var reservedBits: WebSocketFrame.ReservedBits { inner.reservedBits }

  /// The client's permessage-deflate offer, inflating messages up to `limit` bytes.
  static func factory(limit: Int, dropped: DroppedFrames) -> WebSocketExtensionFactory {
    WebSocketExtensionFactory {
      Builder(
        inner: WebSocketExtensionFactory.perMessageDeflate(maxDecompressedFrameSize: limit).build(),
        limit: limit, dropped: dropped)
    }
  }

  func processReceivedFrame(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws
    -> WebSocketFrame
  {
    do {
      return try await inner.processReceivedFrame(frame, context: context)
    } catch {
      // compress-nio's overflow is the usual cause; anything else is a corrupt stream.
      let overflow = "\(error)".contains("bufferOverflow")
      dropped.record(
        .badFrame(
          overflow
            ? "the server sent a compressed message over the limit of \(limit) bytes once inflated (--max-message-bytes)"
            : "the server sent a compressed message that does not inflate: \(error)",
          close: .messageTooLarge))
      // The library maps this error, and only this one, to close code 1009.
      throw NIOWebSocketError.invalidFrameLength
    }
  }

  func processFrameToSend(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws
    -> WebSocketFrame
  {
    try await inner.processFrameToSend(frame, context: context)
  }

  func shutdown() async { await inner.shutdown() }

  /// Negotiates as permessage-deflate does, wrapping the extension it makes.
  struct Builder: WebSocketExtensionBuilder {
    static var name: String { "permessage-deflate" }
    let inner: any WebSocketExtensionBuilder
    let limit: Int
    let dropped: DroppedFrames

    func clientRequestHeader() -> String { inner.clientRequestHeader() }

    func serverReponseHeader(to request: WebSocketExtensionHTTPParameters) -> String? {
      inner.serverReponseHeader(to: request)
    }

    func serverExtension(from request: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
      try inner.serverExtension(from: request).map { ReportingDeflate(inner: $0, limit: limit, dropped: dropped) }
    }

    func clientExtension(from response: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
      try inner.clientExtension(from: response).map { ReportingDeflate(inner: $0, limit: limit, dropped: dropped) }
    }
  }
}

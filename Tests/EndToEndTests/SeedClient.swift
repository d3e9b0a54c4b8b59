import HTTPTypes
import Logging
import NIOCore
import NIOWebSocket
import TGPTEvents
import WSClient

/// A client written the seed's way: send `{"message": …}`, read frames until `complete` (or
/// `error`), then the next. Independent of the bridge's own client code.
enum SeedClient {
  enum Send: Sendable {
    case text(String)
    case binary([UInt8])
  }

  struct Conversation: Sendable {
    /// The frames received for each send, up to its terminal event.
    var replies: [[Event]] = []
    var close: WebSocketCloseFrame?
  }

  static func message(_ text: String) -> Send {
    var writer = JSONWriter()
    writer.value(["message": .string(text)])
    return .text(String(decoding: writer.bytes, as: UTF8.self))
  }

  /// Sends each of `sends` after the previous one's terminal event; then closes, or with
  /// `awaitServerClose` reads on until the server closes.
  static func talk(_ url: String, _ sends: [Send], headers: HTTPFields = [:], awaitServerClose: Bool = false)
    async throws -> Conversation
  {
    let replies = Guarded<[[Event]]>([])
    let close = try await WebSocketClient.connect(
      url: url, configuration: .init(maxFrameSize: 4 << 20, additionalHeaders: headers), logger: Logger(label: "seed")
    ) { inbound, outbound, _ in
      var frames = inbound.messages(maxSize: 4 << 20).makeAsyncIterator()
      for send in sends {
        switch send {
        case .text(let text): try await outbound.write(.text(text))
        case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
        }
        var events: [Event] = []
        while let frame = try await frames.next() {
          guard case .text(let text) = frame else { continue }
          let event = try Event.decode(text)
          events.append(event)
          if event.isTerminal { break }
        }
        let received = events
        replies.withLock { $0.append(received) }
        if events.last?.isTerminal != true { return }
      }
      if awaitServerClose {
        while try await frames.next() != nil {}
      } else {
        try await outbound.close(.normalClosure, reason: nil)
      }
    }
    return Conversation(replies: replies.withLock { $0 }, close: close)
  }
}

import NIOCore
import NIOWebSocket
import TGPTEvents
import WSClient

/// What a message from the server may be: one text frame holding one JSON object (SPEC §3,
/// §7). Anything else fails the connection with a word — it is never printed (stdout carries
/// only events) nor skipped (it may have been text of an answer, which would then end short).
enum InboundFrame {
  /// The stdout line for `message`, without its newline: the JSON object as it came, or made
  /// compact when it spans lines. Throws a `ClientFailure` for anything else.
  static func line(_ message: WebSocketMessage) throws(ClientFailure) -> [UInt8] {
    let text: String
    switch message {
    case .binary(let buffer):
      throw .badFrame(
        "the server sent a binary frame (\(buffer.readableBytes) bytes); events come as text frames of JSON",
        close: .unacceptableData)
    case .text(let string): text = string
    }
    var bytes = Array(text.utf8)
    let isObject = bytes.withUnsafeBytes { raw in
      var scanner = JSONScanner(raw)
      do throws(ProtocolError) {
        guard try scanner.peekKind() == .object else { return false }
        try scanner.skipValue()
        try scanner.expectEnd()
        return true
      } catch {
        return false
      }
    }
    guard isObject else {
      throw .badFrame("the server sent a frame that is not a JSON object: \(excerpt(text))", close: .unacceptableData)
    }
    // A pretty-printed object would be several stdout lines: one event must be one line.
    if bytes.contains(0x0A) || bytes.contains(0x0D), let json = try? JSON.parse(bytes) {
      var writer = JSONWriter()
      writer.value(json)
      bytes = writer.bytes
    }
    return bytes
  }

  /// The failure behind an error the library threw while reading messages, when it is about
  /// what the server sent (not a lost connection); nil otherwise.
  static func failure(_ error: any Error, limit: Int) -> ClientFailure? {
    let tooLarge = "the server sent a message over the limit of \(limit) bytes (--max-message-bytes)"
    if let frame = error as? NIOWebSocketError, frame == .invalidFrameLength {
      return .badFrame(tooLarge, close: .messageTooLarge)
    }
    // The library closes for these with an error of its own package, `close(code)`: the code
    // is all it holds.
    guard String(reflecting: type(of: error)).hasSuffix("WebSocketHandler.InternalError"),
      let code = Mirror(reflecting: error).children.first?.value as? WebSocketErrorCode
    else { return nil }
    switch code {
    case .messageTooLarge: return .badFrame(tooLarge, close: code)
    case .dataInconsistentWithMessage:
      return .badFrame("the server sent a text frame that is not valid UTF-8", close: code)
    case .protocolError:
      return .badFrame("the server broke the WebSocket protocol (a frame out of order or malformed)", close: code)
    default:
      return .badFrame("the server sent a frame the client cannot read (close code \(code))", close: code)
    }
  }

  /// The start of `text` for a message, every character outside printable ASCII escaped
  /// (a server's bytes must not reach a terminal as they are).
  static func excerpt(_ text: String) -> String {
    var shown = ""
    for scalar in text.unicodeScalars.prefix(60) {
      shown += (0x20..<0x7F).contains(scalar.value) ? String(scalar) : scalar.escaped(asASCII: true)
    }
    return "'" + shown + (text.unicodeScalars.count > 60 ? "...'" : "'")
  }
}

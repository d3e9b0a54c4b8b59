import HummingbirdWebSocket
import NIOCore
package import NIOWebSocket
import TGPTEvents

/// Puts a client's frames together into messages, as RFC 6455 §5.4 says: a message is a text
/// or binary frame and the continuations after it, up to one with FIN. A continuation with no
/// message to continue, or a new message inside an unfinished one, fails the connection (1002);
/// a text message that is not UTF-8 fails it too (1007). Bytes past `maxBytes` are counted, not
/// kept: the message is refused with an error event, and the connection stays.
package struct MessageAssembly {
  package enum Outcome: Equatable {
    /// More frames to come.
    case incomplete
    /// A whole message: its bytes (empty when over the limit), whether binary, its full size.
    case message([UInt8], binary: Bool, size: Int)
    /// The client broke the protocol: close with this code.
    case violation(WebSocketErrorCode, reason: String)
  }

  /// What a data frame starts or continues.
  package enum Kind { case text, binary, continuation }

  package let maxBytes: Int
  private var bytes: [UInt8] = []
  private var size = 0
  private var binary = false
  private var open = false

  package init(maxBytes: Int) { self.maxBytes = maxBytes }

  mutating func add(_ frame: WebSocketDataFrame) -> Outcome {
    let kind: Kind =
      switch frame.opcode {
      case .text: .text
      case .binary: .binary
      case .continuation: .continuation
      }
    return add(kind, fin: frame.fin, payload: frame.data.readableBytesView)
  }

  /// Adds one frame's payload; what the frames so far make.
  package mutating func add(_ kind: Kind, fin: Bool, payload: some Collection<UInt8>) -> Outcome {
    switch kind {
    case .text, .binary:
      if open { return .violation(.protocolError, reason: "a new message started inside an unfinished one") }
      open = true
      bytes.removeAll(keepingCapacity: true)
      size = 0
      binary = kind == .binary
    case .continuation:
      if !open { return .violation(.protocolError, reason: "a continuation frame with no message to continue") }
    }
    size += payload.count
    if size <= maxBytes, !binary { bytes.append(contentsOf: payload) }
    guard fin else { return .incomplete }
    open = false
    if !binary, size <= maxBytes, !Self.isUTF8(bytes) {
      return .violation(.dataInconsistentWithMessage, reason: "a text message that is not UTF-8")
    }
    return .message(size <= maxBytes ? bytes : [], binary: binary, size: size)
  }

  package static func isUTF8(_ bytes: [UInt8]) -> Bool { UTF8Validity.isValid(bytes) }
}

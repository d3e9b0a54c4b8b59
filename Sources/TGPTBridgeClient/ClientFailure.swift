import NIOCore
import NIOPosix
import NIOSSL
import TGPTEvents
import WSClient

/// Why a connection failed, with the kind that decides the exit code.
public struct ClientFailure: KindedError, Sendable {
  public let kind: ErrorKind
  public let message: String

  public init(_ kind: ErrorKind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }

  /// Names what went wrong in words: refused, DNS, TLS, upgrade, timeout.
  static func classify(_ error: any Error, url: String) -> ClientFailure {
    switch error {
    case let failure as ClientFailure:
      return failure
    case let connection as NIOConnectionError:
      if connection.dnsAError != nil || connection.dnsAAAAError != nil {
        return ClientFailure(.unavailable, "cannot resolve \(connection.host): DNS lookup failed")
      }
      return ClientFailure(.unavailable, "cannot connect to \(connection.host):\(connection.port): connection refused")
    case ChannelError.connectTimeout:
      return ClientFailure(.timeout, "timed out connecting to \(url)")
    case let tls as NIOSSLError:
      return ClientFailure(.unavailable, "TLS handshake with \(url) failed: \(tls)")
    case let tls as BoringSSLError:
      return ClientFailure(.unavailable, "TLS handshake with \(url) failed: \(tls)")
    case let client as WebSocketClientError where client == .webSocketUpgradeFailed:
      return ClientFailure(.unavailable, "the server refused the WebSocket upgrade at \(url)")
    case let client as WebSocketClientError where client == .invalidURL:
      return ClientFailure(.usage, "not a WebSocket URL: \(url)")
    case let client as WebSocketClientError where client == .serverSentMessageTooLarge:
      return ClientFailure(.unavailable, "the server sent a message over the limit (--max-message-bytes)")
    default:
      return ClientFailure(.unavailable, "connection to \(url) failed: \(error)")
    }
  }
}

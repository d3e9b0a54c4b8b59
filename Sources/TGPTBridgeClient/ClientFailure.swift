import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
package import TGPTEvents
import WSClient

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a connection failed, with the kind that decides the exit code.
package struct ClientFailure: KindedError, Sendable {
  package let kind: ErrorKind
  package let message: String
  /// Whether connecting again may help. False when the server went quiet or sent what the
  /// client cannot read: the answers owed may still be running there, so sending them again
  /// would repeat the turns, and a server that broke the protocol once will again.
  package let canReconnect: Bool
  /// The code to close the connection with, for a failure found while it is open.
  let closeCode: WebSocketErrorCode?
  /// Whether the server refused the connection itself (its `auth` error, then a close with
  /// 1008), rather than an answer failing on its side (a provider's missing key is `auth` too).
  package internal(set) var refusedConnection = false

  package init(_ kind: ErrorKind, _ message: String) {
    self.init(kind, message, canReconnect: true, closeCode: nil)
  }

  init(_ kind: ErrorKind, _ message: String, canReconnect: Bool, closeCode: WebSocketErrorCode?) {
    self.kind = kind
    self.message = message
    self.canReconnect = canReconnect
    self.closeCode = closeCode
  }

  /// The server sent what the client cannot read (`unavailable`: the server failed, as a
  /// provider's malformed stream does in tgpt-stream); the connection is closed with `code`.
  static func badFrame(_ message: String, close code: WebSocketErrorCode) -> ClientFailure {
    ClientFailure(.unavailable, message, canReconnect: false, closeCode: code)
  }

  /// No frame came for `idle` while `owed` answers were owed.
  static func idle(_ idle: Duration, owed: Int) -> ClientFailure {
    ClientFailure(
      .timeout,
      "no frame from the server for \(Self.seconds(idle)) with \(owed) answer(s) owed (--idle-timeout)",
      canReconnect: false, closeCode: .goingAway)
  }

  /// A duration in seconds for messages: "120 s", "0.5 s".
  static func seconds(_ duration: Duration) -> String { "\(duration.secondsText) s" }

  package var description: String { message }

  /// The C library's words for `errno`, in lower case: "connection refused".
  static func reason(errno: Int32) -> String {
    guard let text = strerror(errno) else { return "error \(errno)" }
    let words = String(cString: text)
    return words.prefix(1).lowercased() + words.dropFirst()
  }

  /// Names what went wrong in words: refused, DNS, TLS, upgrade, timeout. A refused upgrade
  /// is asked again over plain HTTP for its status line, on a thread of its own.
  static func classify(_ error: any Error, url: String, headers: [(String, String)] = []) async -> ClientFailure {
    switch error {
    case let failure as ClientFailure:
      return failure
    case let connection as NIOConnectionError:
      if connection.dnsAError != nil || connection.dnsAAAAError != nil {
        return ClientFailure(.unavailable, "cannot resolve \(connection.host): DNS lookup failed")
      }
      let causes = connection.connectionErrors.map(\.error)
      if let tls = causes.first(where: { $0 is NIOSSLError || $0 is BoringSSLError || $0 is NIOSSLExtraError }) {
        return ClientFailure(.unavailable, "TLS handshake with \(url) failed: \(tls)")
      }
      let why =
        causes.first.map { cause in (cause as? IOError).map { Self.reason(errno: $0.errnoCode) } ?? "\(cause)" }
        ?? "connection refused"
      return ClientFailure(.unavailable, "cannot connect to \(connection.host):\(connection.port): \(why)")
    case ChannelError.connectTimeout:
      return ClientFailure(.timeout, "timed out connecting to \(url)")
    case let tls as NIOSSLError:
      return ClientFailure(.unavailable, "TLS handshake with \(url) failed: \(tls)")
    case let tls as NIOSSLExtraError:
      return ClientFailure(.unavailable, "TLS with \(url) failed: \(tls)")
    case let tls as BoringSSLError:
      return ClientFailure(.unavailable, "TLS handshake with \(url) failed: \(tls)")
    case let client as WebSocketClientError where client == .webSocketUpgradeFailed:
      let probed = await DedicatedThread.run { UpgradeProbe.answer(url: url, headers: headers) }
      return refusedUpgrade(url: url, answer: probed)
    case let client as WebSocketClientError where client == .invalidURL:
      return ClientFailure(.usage, "not a WebSocket URL: \(url)")
    case let client as WebSocketClientError where client == .serverSentMessageTooLarge:
      return ClientFailure(.unavailable, "the server sent a message over the limit (--max-message-bytes)")
    default:
      return ClientFailure(.unavailable, "connection to \(url) failed: \(error)")
    }
  }
}

import HTTPTypes
import NIOSSL
import NIOWebSocket
import TGPTWebSocketDeflate
import WSClient

/// How `tgpt-ws-bridge connect` talks to a server.
package struct ClientSettings: Sendable {
  package var url: String
  /// Extra request headers, `Name: value`.
  package var headers: [(String, String)] = []
  package var token: String?
  /// A PEM file of CA certificates to trust instead of the system's.
  package var caCertificate: String?
  package var insecure = false
  package var pingInterval: Duration?
  package var connectTimeout: Duration = .seconds(10)
  /// Connection attempts after the first fails or drops; 0: none.
  package var reconnect = 0
  /// After stdin ends, stop waiting for owed answers after this long without a frame.
  package var linger: Duration?
  /// Fail after this long without a frame while answers are owed (nil: wait for ever).
  package var idleTimeout: Duration? = .seconds(120)
  /// Send stdin lines untouched instead of as `{"message": line}`.
  package var raw = false
  /// The largest message accepted from the server.
  package var maxMessageBytes = 16 << 20

  package init(url: String) { self.url = url }

  /// A header given as `Name: value`, spaces around each part trimmed; nil without a colon.
  package static func header(_ line: String) -> (String, String)? {
    guard let colon = line.firstIndex(of: ":") else { return nil }
    func trim(_ text: Substring) -> String {
      String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
    return (trim(line[..<colon]), trim(line[line.index(after: colon)...]))
  }

  /// The user's headers and the token, as sent again by the upgrade probe.
  var probeHeaders: [(String, String)] { headers + (token.map { [("Authorization", "Bearer \($0)")] } ?? []) }

  /// The headers sent with the upgrade request.
  var requestHeaders: HTTPFields {
    var fields = HTTPFields()
    for (name, value) in headers {
      if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
    }
    if let token { fields[.authorization] = "Bearer \(token)" }
    return fields
  }

  /// The library's settings for one connection: frame limit, headers, compression, pings.
  /// Text must be valid UTF-8 (not patched with U+FFFD unseen); a compressed message that
  /// cannot be inflated within the limit is recorded in `dropped`.
  func webSocketConfiguration(dropped: DroppedFrames) -> WebSocketClientConfiguration {
    var configuration = WebSocketClientConfiguration(
      maxFrameSize: maxMessageBytes, additionalHeaders: requestHeaders,
      extensions: [
        LimitedDeflate.factory(limit: maxMessageBytes) { [maxMessageBytes] overLimit, error in
          dropped.record(
            .badFrame(
              overLimit
                ? "the server sent a compressed message over the limit of \(maxMessageBytes) bytes once inflated (--max-message-bytes)"
                : "the server sent a compressed message that does not inflate: \(error)",
              close: .messageTooLarge))
        }
      ],
      autoPing: pingInterval.map { .enabled(timePeriod: $0) } ?? .disabled, validateUTF8: true)
    configuration.ignoreUncleanSSLShutdownErrors = false
    return configuration
  }

  /// TLS for `wss://` and `https://` URLs: the system's trust roots, or `caCertificate`'s;
  /// nil for plain URLs.
  func tlsConfiguration() throws -> TLSConfiguration? {
    guard url.hasPrefix("wss:") || url.hasPrefix("https:") else { return nil }
    var tls = TLSConfiguration.makeClientConfiguration()
    if let caCertificate {
      tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caCertificate))
    }
    if insecure { tls.certificateVerification = .none }
    return tls
  }
}

import TGPTEvents
package import TGPTSession

/// Where a PostgreSQL store is, as a URL:
/// `postgres://user[:password]@host[:port]/database[?sslmode=…&connect_timeout=…]`
/// (also `postgresql://`). Parsed here, without Foundation, as libpq reads the same URL.
package struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
  /// How the connection uses TLS, with libpq's names and meanings.
  package enum SSLMode: String, Sendable, CaseIterable {
    /// Plain TCP.
    case disable
    /// TLS when the server offers it, else plain; the certificate is not checked (libpq's default).
    case prefer
    /// TLS or no connection; the certificate is not checked (as libpq, without a root certificate).
    case require
    /// TLS with a certificate that the system's CAs sign; any host name.
    case verifyCA = "verify-ca"
    /// TLS with a certificate that the system's CAs sign, for this host.
    case verifyFull = "verify-full"
  }

  package var user: String
  /// From the URL, else `PGPASSWORD`; nil for none.
  package var password: String?
  package var host: String
  package var port: Int
  package var database: String
  package var sslMode: SSLMode
  /// How long opening a connection may take, in seconds (libpq's `connect_timeout`; 0 for
  /// no limit, which this store replaces by its default rather than wait forever).
  package var connectTimeout: Int

  /// The default `connect_timeout`: short, so an unreachable server fails a command quickly.
  package static let defaultConnectTimeout = 5

  /// Whether `text` names a PostgreSQL store (`postgres://` or `postgresql://`).
  package static func isPostgres(_ text: String) -> Bool {
    text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
  }

  /// Parses `text`; `environment` supplies `PGPASSWORD` (and `PGUSER`, `USER` when the URL
  /// names no user).
  package init(_ text: String, environment: (String) -> String? = { _ in nil }) throws(StoreError) {
    let rest: Substring
    if text.hasPrefix("postgres://") {
      rest = text.dropFirst("postgres://".count)
    } else if text.hasPrefix("postgresql://") {
      rest = text.dropFirst("postgresql://".count)
    } else {
      throw Self.invalid(text, "it must start with postgres:// or postgresql://")
    }
    let (beforeQuery, query) = Self.split(rest, at: "?")
    let (authority, path) = Self.split(beforeQuery, at: "/")
    var userInfo: Substring?
    var hostPort = authority
    if let at = authority.lastIndex(of: "@") {
      userInfo = authority[..<at]
      hostPort = authority[authority.index(after: at)...]
    }
    var user: String?
    var password: String?
    if let userInfo {
      let (name, secret) = Self.split(userInfo, at: ":")
      user = try Self.decode(name, in: text)
      if let secret { password = try Self.decode(secret, in: text) }
    }
    (host, port) = try Self.hostAndPort(hostPort, in: text)
    guard let user = user.flatMap({ $0.isEmpty ? nil : $0 }) ?? environment("PGUSER") ?? environment("USER") else {
      throw Self.invalid(text, "it names no user (postgres://USER@HOST/DATABASE)")
    }
    self.user = user
    self.password = password ?? environment("PGPASSWORD")
    let name = try Self.decode(path ?? "", in: text)
    database = name.isEmpty ? user : name
    sslMode = .prefer
    connectTimeout = Self.defaultConnectTimeout
    for parameter in (query ?? "").split(separator: "&") {
      let (key, value) = Self.split(parameter, at: "=")
      let decoded = try Self.decode(value ?? "", in: text)
      switch key {
      case "sslmode":
        guard let mode = SSLMode(rawValue: decoded) else {
          throw Self.invalid(text, "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        sslMode = mode
      case "connect_timeout":
        guard let seconds = Int(decoded), seconds >= 0 else {
          throw Self.invalid(text, "connect_timeout must be a number of seconds")
        }
        // As libpq: 0 means no limit, and less than 2 seconds is taken as 2.
        connectTimeout = seconds == 0 ? Self.defaultConnectTimeout : max(seconds, 2)
      default:
        throw Self.invalid(text, "unknown parameter '\(key)' (this store knows sslmode and connect_timeout)")
      }
    }
  }

  /// `host:port` (`[::1]:5432` for an IPv6 address), as errors name the server.
  package var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

  /// The URL without its password, for messages and logs.
  package var description: String {
    "postgres://\(user)@\(endpoint)/\(database)?sslmode=\(sslMode.rawValue)&connect_timeout=\(connectTimeout)"
  }

  private static func hostAndPort(_ text: Substring, in url: String) throws(StoreError) -> (String, Int) {
    var host = text
    var portText: Substring?
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else { throw invalid(url, "an IPv6 address needs a closing ]") }
      host = text[text.index(after: text.startIndex)..<close]
      let after = text[text.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { throw invalid(url, "unexpected text after the IPv6 address") }
        portText = after.dropFirst()
      }
    } else if let colon = text.lastIndex(of: ":") {
      host = text[..<colon]
      portText = text[text.index(after: colon)...]
    }
    guard !host.isEmpty else { throw invalid(url, "it names no host (postgres://USER@HOST/DATABASE)") }
    var port = 5432
    if let portText {
      guard let number = Int(portText), (1...65535).contains(number) else {
        throw invalid(url, "the port must be a number from 1 to 65535")
      }
      port = number
    }
    return (try decode(host, in: url), port)
  }

  /// The text before the first `separator`, and the text after it (nil without one).
  private static func split(_ text: Substring, at separator: Character) -> (Substring, Substring?) {
    guard let index = text.firstIndex(of: separator) else { return (text, nil) }
    return (text[..<index], text[text.index(after: index)...])
  }

  /// Percent-decoding (`%40` is `@`), so a password may hold any character.
  private static func decode(_ text: Substring, in url: String) throws(StoreError) -> String {
    guard let bytes = Hex.percentDecoded(text) else { throw invalid(url, "a % must be followed by two hex digits") }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// A URL that cannot be read: a configuration mistake. The password is never repeated.
  private static func invalid(_ url: String, _ why: String) -> StoreError {
    .configuration("invalid PostgreSQL URL \(redacted(url)): \(why)")
  }

  /// `url` with the password (between `user:` and `@`) replaced by `***`.
  static func redacted(_ url: String) -> String {
    guard let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else {
      return url
    }
    let userInfo = url[scheme.upperBound..<at]
    guard let colon = userInfo.firstIndex(of: ":") else { return url }
    return String(url[..<colon]) + ":***" + String(url[at...])
  }
}

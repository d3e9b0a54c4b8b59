import HTTPTypes

/// Who may use the server, and as whom: the bearer token (header, or `?token=` for browsers,
/// which cannot set headers on a WebSocket), checked against the one `--token` or the
/// principals of `--tokens`, and the Origin allow-list.
struct AccessPolicy: Sendable {
  let token: String?
  let tokens: TokenTable?
  let allowedOrigins: [String]

  /// What a request's token makes of it.
  enum Verdict: Equatable {
    /// No token, or a wrong one, on a server that wants one.
    case refused
    /// Let in, as the principal of its token; nil for the child's own principal (the one
    /// `--token`, or a server without tokens).
    case allowed(principal: String?)
  }

  /// Whether the server asks for a token at all.
  var wantsToken: Bool { token != nil || tokens != nil }

  /// Who the request is, by its token.
  func verdict(headers: HTTPFields, queryToken: Substring?) -> Verdict {
    guard wantsToken else { return .allowed(principal: nil) }
    guard let presented = Self.presentedToken(headers: headers, queryToken: queryToken) else { return .refused }
    if let token, Self.constantTimeEquals(Array(presented.utf8), Array(token.utf8)) {
      return .allowed(principal: nil)
    }
    if let principal = tokens?.principal(presenting: presented) { return .allowed(principal: principal) }
    return .refused
  }

  /// The token a request presents, for the per-token rate limit: nil when the server has none.
  func tokenForLimits(headers: HTTPFields, queryToken: Substring?) -> String? {
    guard wantsToken else { return nil }
    return Self.presentedToken(headers: headers, queryToken: queryToken).map(String.init)
  }

  /// Whether `address` is this machine's (`/healthz` and `/metrics` answer it without a token).
  static func isLoopback(_ address: String?) -> Bool {
    guard let address else { return false }
    return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
  }

  /// The token a request presents (header first, then `?token=`), if any.
  static func presentedToken(headers: HTTPFields, queryToken: Substring?) -> Substring? {
    if let header = headers[.authorization], header.lowercased().hasPrefix("bearer ") {
      return header.dropFirst("bearer ".count)
    }
    return queryToken
  }

  /// Whether a browser's Origin may connect. Requests without one, or with a `ws://`/`wss://`
  /// one (which WebSocket libraries send and browsers never do), are not from a page. A page
  /// of the server's own origin — its Origin names the host the request is for (`Host`), as
  /// the web client at `/` does — may connect, and so may those `--allow-origin` lists.
  ///
  /// Any other page may connect only to a server that wants a token and lists no origins (the
  /// page must hold a token: nothing is granted by where it comes from). Without a token, a
  /// page a user merely visits could otherwise list and read their sessions and spend their
  /// key; and "its own origin" counts only for a Host that is an address (or `localhost`): a
  /// page of a name the attacker owns, re-pointed at 127.0.0.1 (DNS rebinding), has the same
  /// origin as the Host it sends.
  func isAllowed(origin: String?, host: String?) -> Bool {
    guard let origin else { return true }
    if origin.hasPrefix("ws://") || origin.hasPrefix("wss://") { return true }
    if allowedOrigins.contains(origin) { return true }
    if Self.isSameHost(origin: origin, host: host) { return wantsToken || Self.namesAnAddress(host ?? "") }
    return wantsToken && allowedOrigins.isEmpty
  }

  /// Whether a Host header (`name[:port]`) names an IP address or `localhost`, not a domain.
  static func namesAnAddress(_ host: String) -> Bool {
    if host.hasPrefix("[") { return true }
    let name = host.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
    return name == "localhost" || (!name.isEmpty && name.allSatisfy { $0 == "." || $0.isASCII && $0.isNumber })
  }

  /// Whether `origin` (`scheme://host[:port]`) is of the host a request was sent to. The
  /// scheme is not compared: behind a TLS-terminating proxy the page is https and the server
  /// plain http, and a browser sends the Host of the address it connected to either way.
  static func isSameHost(origin: String, host: String?) -> Bool {
    guard let host, !host.isEmpty else { return false }
    for scheme in ["http://", "https://"] where origin.hasPrefix(scheme) {
      return origin.dropFirst(scheme.count).lowercased() == host.lowercased()
    }
    return false
  }

  /// Compares without stopping at the first difference, so timing tells nothing of the token's
  /// bytes. Different lengths never compare equal, however they differ (the length itself is
  /// not secret).
  static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference: UInt8 = a.count == b.count ? 0 : 1
    for index in 0..<max(a.count, b.count) {
      let x = index < a.count ? a[index] : 0
      let y = index < b.count ? b[index] : 0
      difference |= x ^ y
    }
    return difference == 0
  }
}

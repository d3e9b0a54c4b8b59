import HTTPTypes

/// Who may use the server: the bearer token (header, or `?token=` for browsers, which cannot
/// set headers on a WebSocket) and the Origin allow-list.
struct AccessPolicy: Sendable {
  let token: String?
  let allowedOrigins: [String]

  /// Whether the request carries the token (always true when none is configured).
  func isAuthorized(headers: HTTPFields, queryToken: Substring?) -> Bool {
    guard let token else { return true }
    guard let presented = Self.presentedToken(headers: headers, queryToken: queryToken) else { return false }
    return Self.constantTimeEquals(Array(presented.utf8), Array(token.utf8))
  }

  /// The token a request presents, for the per-token rate limit: nil when the server has none.
  func tokenForLimits(headers: HTTPFields, queryToken: Substring?) -> String? {
    guard token != nil else { return nil }
    return Self.presentedToken(headers: headers, queryToken: queryToken).map(String.init)
  }

  /// The token a request presents (header first, then `?token=`), if any.
  static func presentedToken(headers: HTTPFields, queryToken: Substring?) -> Substring? {
    if let header = headers[.authorization], header.lowercased().hasPrefix("bearer ") {
      return header.dropFirst("bearer ".count)
    }
    return queryToken
  }

  /// Whether a browser's Origin may connect. Requests without one, or with a `ws://`/`wss://`
  /// one (which WebSocket libraries send and browsers never do), are not from a page.
  func isAllowed(origin: String?) -> Bool {
    guard let origin, !allowedOrigins.isEmpty else { return true }
    if origin.hasPrefix("ws://") || origin.hasPrefix("wss://") { return true }
    return allowedOrigins.contains(origin)
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

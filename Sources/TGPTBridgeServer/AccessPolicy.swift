import HTTPTypes

/// Who may use the server: the bearer token (header, or `?token=` for browsers, which cannot
/// set headers on a WebSocket) and the Origin allow-list.
struct AccessPolicy: Sendable {
  let token: String?
  let allowedOrigins: [String]

  /// Whether the request carries the token (always true when none is configured).
  func isAuthorized(headers: HTTPFields, queryToken: Substring?) -> Bool {
    guard let token else { return true }
    var presented: Substring?
    if let header = headers[.authorization], header.lowercased().hasPrefix("bearer ") {
      presented = header.dropFirst("bearer ".count)
    } else {
      presented = queryToken
    }
    guard let presented else { return false }
    return Self.constantTimeEquals(Array(presented.utf8), Array(token.utf8))
  }

  /// Whether a browser's Origin may connect. Requests without one, or with a `ws://`/`wss://`
  /// one (which WebSocket libraries send and browsers never do), are not from a page.
  func isAllowed(origin: String?) -> Bool {
    guard let origin, !allowedOrigins.isEmpty else { return true }
    if origin.hasPrefix("ws://") || origin.hasPrefix("wss://") { return true }
    return allowedOrigins.contains(origin)
  }

  /// Compares without stopping at the first difference, so timing tells nothing of the token.
  static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
    for index in 0..<max(a.count, b.count) {
      let x = index < a.count ? a[index] : 0
      let y = index < b.count ? b[index] : 0
      difference |= x ^ y
    }
    return difference == 0
  }
}

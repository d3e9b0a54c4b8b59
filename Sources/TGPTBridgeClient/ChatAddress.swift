/// Where a chat's messages go on a `tgpt-ws-bridge serve` server: `/ws/chat/{session}` under
/// the URL the user gave (`--api-url`). The URL may be the server's root (`ws://host:8000`, as
/// in the seed), a prefix the server is mounted under, or a whole chat URL; a query such as
/// `?token=…` is kept on every session's URL.
package struct ChatAddress: Sendable, Equatable {
  /// Everything before the session id, ending in `/ws/chat/`.
  package let prefix: String
  /// The query, with its `?`, or "".
  package let query: String
  /// The session a whole chat URL names, if it names one.
  package let session: String?

  package init(_ url: String) {
    let query = url.firstIndex(of: "?").map { String(url[$0...]) } ?? ""
    var path = String(url.dropLast(query.count))
    let marker = "/ws/chat/"
    if let end = Self.end(ofLast: marker, in: path) {
      let rest = String(path[end...]).filter { $0 != "/" }
      session = rest.isEmpty ? nil : rest
      prefix = String(path[..<end])
    } else {
      while path.hasSuffix("/") { path.removeLast() }
      session = nil
      prefix = path + marker
    }
    self.query = query
  }

  private static func end(ofLast marker: String, in text: String) -> String.Index? {
    var index = text.endIndex
    while index > text.startIndex {
      index = text.index(before: index)
      if text[index...].hasPrefix(marker) { return text.index(index, offsetBy: marker.count) }
    }
    return nil
  }

  /// The WebSocket URL of `session`.
  package func url(session: String) -> String { prefix + session + query }

  /// The URL without its query, which may hold a token: for messages.
  package var displayed: String { String(prefix.dropLast("/ws/chat/".count)) }
}

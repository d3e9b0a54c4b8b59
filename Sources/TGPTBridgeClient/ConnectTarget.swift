import TGPTEvents

/// Where `tgpt-ws-bridge connect` connects, from the URL and `--session` the user gave.
///
/// - `http://` and `https://` are taken as `ws://` and `wss://` (`tgpt-ws-bridge serve` prints
///   its address as `http://…`).
/// - A URL with `{session_id}` has it filled from `--session`.
/// - A whole chat URL (`…/ws/chat/ID`) is used as it is; `--session` beside it is a mistake.
/// - A base URL — the server's root, or one ending in `/ws/chat/` — gets `/ws/chat/ID`, with
///   `--session`'s id or a new one (`madeSession`, for the user to be told).
/// - Any other path is a WebSocket endpoint of any server, used as it is; with `--session`
///   it is the prefix a chat server is mounted under, as for `chat --api-url`.
package struct ConnectTarget: Sendable, Equatable {
  /// The WebSocket URL to connect to.
  package let url: String
  /// The session id made because the URL and `--session` named none.
  package let madeSession: String?

  /// Why a URL and `--session` do not go together: a usage error.
  package struct Mistake: Error, Sendable, Equatable, CustomStringConvertible {
    package let description: String
  }

  package init(_ given: String, session: String?, makeSession: () -> String = SessionIDRule.makeUnguessable)
    throws(Mistake)
  {
    let url = try Self.webSocketURL(given)
    if url.contains("{session_id}") {
      guard let session else { throw Mistake(description: "the URL has {session_id}: give --session") }
      self.init(url: url.replacing("{session_id}", with: session), madeSession: nil)
      return
    }
    let address = ChatAddress(Self.endingChatPath(url))
    if let named = address.session {
      if let session {
        throw Mistake(
          description:
            "the URL already names session '\(named)' (/ws/chat/\(named)): drop --session \(session), or give the server's base URL (\(address.displayed))"
        )
      }
      self.init(url: url, madeSession: nil)
      return
    }
    if session == nil, !Self.isBase(url) {
      self.init(url: url, madeSession: nil)
      return
    }
    let id = session ?? makeSession()
    self.init(url: address.url(session: id), madeSession: session == nil ? id : nil)
  }

  private init(url: String, madeSession: String?) {
    self.url = url
    self.madeSession = madeSession
  }

  /// `given` as a WebSocket URL: `http://` read as `ws://`, `https://` as `wss://`; any
  /// other scheme is a mistake.
  static func webSocketURL(_ given: String) throws(Mistake) -> String {
    let url =
      if given.hasPrefix("http://") { "ws://" + given.dropFirst("http://".count) } else if given.hasPrefix("https://") {
        "wss://" + given.dropFirst("https://".count)
      } else { given }
    guard url.hasPrefix("ws://") || url.hasPrefix("wss://") else {
      throw Mistake(description: "not a WebSocket URL: \(given): give ws://, wss://, http:// or https://")
    }
    return url
  }

  /// The path of a URL, without its query: "" for `ws://host:8000`.
  static func path(of url: String) -> Substring {
    let afterScheme = url.firstRange(of: "://").map { url[$0.upperBound...] } ?? url[...]
    let rest = afterScheme.drop { $0 != "/" && $0 != "?" }
    return rest.prefix { $0 != "?" }
  }

  /// Whether the URL is a chat server's base: its root, or its `/ws/chat/`.
  static func isBase(_ url: String) -> Bool {
    let path = Self.path(of: url)
    return path.allSatisfy { $0 == "/" } || path.hasSuffix("/ws/chat") || path.hasSuffix("/ws/chat/")
  }

  /// `…/ws/chat` (no slash) read as `…/ws/chat/`, so it is not taken for a mount prefix.
  static func endingChatPath(_ url: String) -> String {
    let path = Self.path(of: url)
    guard path.hasSuffix("/ws/chat") else { return url }
    return String(url[..<path.endIndex]) + "/" + url[path.endIndex...]
  }
}

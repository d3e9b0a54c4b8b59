/// Where `check` and `bench` make their sessions, from the URL the user gave: the forms
/// `tgpt-ws-bridge URL` takes (see `ConnectTarget`), read by the same code.
///
/// - `http://` and `https://` are taken as `ws://` and `wss://` (`serve` prints `http://…`).
/// - A URL with `{session_id}` is the template of every session's URL.
/// - The server's root, a URL ending in `/ws/chat` or `/ws/chat/`, or a prefix the server is
///   mounted under, gets `/ws/chat/ID` for each session made.
/// - A whole chat URL (`…/ws/chat/ID`) is read as its base: check and bench make sessions of
///   their own, so the session it names (`namedSession`, for the user to be told) is not used.
///
/// A query such as `?token=…` is kept on every session's URL.
package struct SessionsTarget: Sendable, Equatable {
  /// Every session's WebSocket URL, with `{session_id}` for its id.
  package let template: String
  /// The session a whole chat URL named, which is not used.
  package let namedSession: String?
  /// The server's URL without its query, which may hold a token: for messages.
  package let displayed: String

  package init(_ given: String) throws(ConnectTarget.Mistake) {
    let url = try ConnectTarget.webSocketURL(given)
    if url.contains("{session_id}") {
      template = url
      namedSession = nil
      displayed = ClientFailure.shown(url)
      return
    }
    let address = ChatAddress(ConnectTarget.endingChatPath(url))
    template = address.url(session: "{session_id}")
    namedSession = address.session
    displayed = address.displayed
  }

  /// The WebSocket URL of `session`.
  package func url(session: String) -> String { template.replacing("{session_id}", with: session) }

  /// What to tell the user of `command` (`check`, `bench`) when the URL named a session.
  package func namedSessionNote(_ command: String) -> String? {
    namedSession.map {
      "the URL names session '\($0)', which \(command) leaves alone: it makes sessions of its own under \(displayed)"
    }
  }
}

import TGPTEvents

extension ClientFailure {
  /// A refused upgrade, said with the HTTP status and the server's reason (when the probe could
  /// read them) and what to do: a path with no chat behind it is pointed at the base URL form,
  /// a refusal of `/ws/chat/ID` at what makes `tgpt-ws-bridge serve` refuse one.
  static func refusedUpgrade(url: String, answer: (statusLine: String, reason: String)?) -> ClientFailure {
    let status = answer.flatMap { UpgradeProbe.status(of: $0.statusLine) }
    var message = "the server refused the WebSocket upgrade at \(shown(url))"
    if let answer {
      let words = answer.statusLine.split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init)
      message += ": HTTP \(words ?? answer.statusLine)"
      if !answer.reason.isEmpty { message += " (\(answer.reason))" }
    }
    let path = ConnectTarget.path(of: url)
    let isChat = ChatAddress(url).session != nil
    let hint: String
    switch status {
    case 401, 403:
      return ClientFailure(.auth, message + "; give the server's token with --token or TGPT_WS_TOKEN")
    case _ where !isChat && (status == nil || status == 400 || status == 404):
      let asked = path.isEmpty ? "/" : String(path)
      hint =
        "no chat at \(asked)? tgpt-ws-bridge serve serves /ws/chat/{session_id}: give its base URL "
        + "(ws://host:port, with --session ID or without for a new session) or the whole /ws/chat/ID URL"
    case 400 where isChat:
      hint =
        "tgpt-ws-bridge serve refuses an upgrade with 400 for an invalid session id, an Origin "
        + "not in its --allow-origin, or while it shuts down"
    default:
      hint = ""
    }
    return ClientFailure(.unavailable, hint.isEmpty ? message : message + "; " + hint)
  }

  /// The URL without its query, which may hold a token.
  static func shown(_ url: String) -> String {
    String(url.prefix { $0 != "?" })
  }
}

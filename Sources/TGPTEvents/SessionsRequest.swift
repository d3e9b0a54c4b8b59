/// A request for the principal's sessions: `{"sessions":true}`, with an optional `id`.
/// Answered at once (it waits for no turn) by one `sessions` event — `sessions`, the
/// `tgpt-session export` session lines of the `limit` most recently used sessions, newest
/// first — then a `complete`. A web client's session list; through `tgpt-ws-bridge serve`
/// each principal sees its own sessions only.
package struct SessionsRequest: Sendable, Hashable {
  /// The wire member that makes a line this request.
  package static let field = "sessions"
  /// How many sessions an answer holds at most: the most recently used.
  package static let limit = 100

  package var id: String?
  /// Whose sessions; nil: the orchestrator's own principal (see `InputMessage.principal`).
  package var principal: String?

  package init(id: String? = nil, principal: String? = nil) {
    self.id = id
    self.principal = principal
  }

  /// The wire form.
  package var json: JSON {
    var object = JSONObject([(Self.field, .bool(true))])
    if let id { object["id"] = .string(id) }
    if let principal { object["principal"] = .string(principal) }
    return .object(object)
  }
}

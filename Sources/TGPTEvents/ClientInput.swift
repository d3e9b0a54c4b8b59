/// A request to stop an answer in progress: `{"cancel":"r17"}` names the request id of the
/// message, optionally with its `session_id` and a `reason` for the error message. The answer
/// ends as any other, with one `error` event of code `interrupted`, and is stored as
/// interrupted; a cancel of an id that is not in progress is ignored (the answer may have
/// ended just before it arrived).
package struct CancelRequest: Sendable, Hashable {
  package var id: String
  package var sessionID: String?
  package var reason: String?
  /// Whose turn it stops; nil: the orchestrator's own principal (see `InputMessage.principal`).
  package var principal: String?

  package init(id: String, sessionID: String? = nil, reason: String? = nil, principal: String? = nil) {
    self.id = id
    self.sessionID = sessionID
    self.reason = reason
    self.principal = principal
  }

  /// Whether `line` is a cancel (the cheap test first: most lines are messages).
  package static func isCancel(_ line: [UInt8]) -> Bool {
    let key = Array(#""cancel""#.utf8)
    guard line.count >= key.count,
      line.indices.dropLast(key.count - 1).contains(where: { line[$0..<$0 + key.count].elementsEqual(key) }),
      let json = try? JSON.parse(line), case .cancel? = try? ClientInput(json: json)
    else { return false }
    return true
  }

  /// The wire form.
  package var json: JSON {
    var object = JSONObject([("cancel", .string(id))])
    if let sessionID { object["session_id"] = .string(sessionID) }
    if let reason { object["reason"] = .string(reason) }
    if let principal { object["principal"] = .string(principal) }
    return .object(object)
  }
}

/// A request for a session's messages: `{"history":true}`, with optional `id` and `session_id`.
/// Answered in the session's order (after the turns sent before it) by one `history` event —
/// `session`, the export's session line (null for a session not yet used), and `messages`, its
/// message lines — then a `complete`.
package struct HistoryRequest: SessionRequest {
  package static let field = "history"
  package var id: String?
  package var sessionID: String?
  package var principal: String?

  package init(id: String? = nil, sessionID: String? = nil, principal: String? = nil) {
    self.id = id
    self.sessionID = sessionID
    self.principal = principal
  }
}

/// A request to delete a session from the store: `{"delete":true}`, with optional `id` and
/// `session_id`. Done in the session's order, once the turns sent before it have ended (and
/// any turn of it in another process), and answered by one `deleted` event — `existed`, false
/// for a session that was never stored — then a `complete`. A turn sent after it starts the
/// session afresh. For clients that make throwaway sessions (`tgpt-ws-bridge check`, `bench`).
package struct DeleteRequest: SessionRequest {
  package static let field = "delete"
  package var id: String?
  package var sessionID: String?
  package var principal: String?

  package init(id: String? = nil, sessionID: String? = nil, principal: String? = nil) {
    self.id = id
    self.sessionID = sessionID
    self.principal = principal
  }
}

/// A request about a whole session, `{"<field>":true}` with optional `id` and `session_id`.
package protocol SessionRequest: Sendable, Hashable {
  /// The member that says what is asked: `history`, `delete`.
  static var field: String { get }
  var id: String? { get }
  var sessionID: String? { get }
  /// Whose session; nil: the orchestrator's own principal (see `InputMessage.principal`).
  var principal: String? { get }
}

extension SessionRequest {
  /// The wire form.
  package var json: JSON {
    var object = JSONObject([(Self.field, .bool(true))])
    if let sessionID { object["session_id"] = .string(sessionID) }
    if let id { object["id"] = .string(id) }
    if let principal { object["principal"] = .string(principal) }
    return .object(object)
  }
}

/// What a client may send to an orchestrator: a message, the cancel of one, a request for a
/// session's history, the deletion of a session, or a request for the list of sessions.
package enum ClientInput: Sendable, Hashable {
  case message(InputMessage)
  case cancel(CancelRequest)
  case history(HistoryRequest)
  case delete(DeleteRequest)
  case sessions(SessionsRequest)

  /// The request id the answer will carry (a cancel's is the id of what it stops).
  package var id: String? {
    switch self {
    case .message(let message): message.id
    case .cancel(let request): request.id
    case .history(let request): request.id
    case .delete(let request): request.id
    case .sessions(let request): request.id
    }
  }

  /// Reads a message, a cancel, a history, a delete or a sessions request; an object with a
  /// `message` is a message whatever else it has.
  package init(json: JSON) throws(ProtocolError) {
    if let object = json.objectValue, object["message"] == nil {
      let sessionID = object["session_id"]?.stringValue
      let principal = try InputMessage.principal(in: object)
      if let cancel = object["cancel"] {
        guard let id = cancel.stringValue, !id.isEmpty else {
          throw .badEvent("\"cancel\" must be the request id of a message in progress (a non-empty string)")
        }
        self = .cancel(
          CancelRequest(id: id, sessionID: sessionID, reason: object["reason"]?.stringValue, principal: principal))
        return
      }
      if let history = object["history"] {
        guard history == .bool(true) else { throw .badEvent("\"history\" must be true") }
        self = .history(
          HistoryRequest(id: try InputMessage.requestID(in: object), sessionID: sessionID, principal: principal))
        return
      }
      if let delete = object["delete"] {
        guard delete == .bool(true) else { throw .badEvent("\"delete\" must be true") }
        self = .delete(
          DeleteRequest(id: try InputMessage.requestID(in: object), sessionID: sessionID, principal: principal))
        return
      }
      if let sessions = object[SessionsRequest.field] {
        guard sessions == .bool(true) else { throw .badEvent("\"sessions\" must be true") }
        self = .sessions(SessionsRequest(id: try InputMessage.requestID(in: object), principal: principal))
        return
      }
    }
    self = .message(try InputMessage(json: json))
  }
}

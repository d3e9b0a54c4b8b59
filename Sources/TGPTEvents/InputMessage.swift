/// A message sent to an orchestrator: the seed's `{"message": "…"}`, with optional tags.
package struct InputMessage: Sendable, Hashable {
  package var message: String
  package var sessionID: String?
  package var id: String?
  package var model: String?
  package var system: String?
  /// Sent again: the answer replaces that of the session's last turn when it asked the same
  /// message (a chat's `/retry`), instead of adding the message a second time.
  package var retry: Bool
  /// Whose session it is (`PrincipalRule`); nil: the orchestrator's own principal. Set by a
  /// server from the client's token, never taken from the client.
  package var principal: String?
  /// Images and files sent with the message (`"attachments"`: data URLs or image URLs).
  package var attachments: [Attachment]

  package init(
    message: String, sessionID: String? = nil, id: String? = nil, model: String? = nil, system: String? = nil,
    retry: Bool = false, principal: String? = nil, attachments: [Attachment] = []
  ) {
    self.message = message
    self.sessionID = sessionID
    self.id = id
    self.model = model
    self.system = system
    self.retry = retry
    self.principal = principal
    self.attachments = attachments
  }

  /// Reads a message object; fails when `message` is missing, not a string, or empty (without
  /// attachments), or an attachment is refused.
  package init(json: JSON) throws(ProtocolError) {
    guard let object = json.objectValue else { throw .badEvent("a message must be a JSON object") }
    guard let message = object["message"] else { throw .badEvent("a message needs a \"message\" field") }
    guard let text = message.stringValue else { throw .badEvent("\"message\" must be a string") }
    attachments = try Self.attachments(in: object)
    // Attachments alone make a message: a picture may be the whole question.
    guard !text.isEmpty || !attachments.isEmpty else { throw .badEvent("\"message\" is empty") }
    self.message = text
    sessionID = object["session_id"]?.stringValue
    id = try Self.requestID(in: object)
    model = object["model"]?.stringValue
    system = object["system"]?.stringValue
    retry = object["retry"] == .bool(true)
    principal = try Self.principal(in: object)
  }

  /// The `principal` of a line: absent, or a name that follows `PrincipalRule`.
  static func principal(in object: JSONObject) throws(ProtocolError) -> String? {
    guard let value = object["principal"], value != .null else { return nil }
    guard let name = value.stringValue, PrincipalRule.isValid(name) else {
      throw .badEvent("\"principal\" must be \(PrincipalRule.text)")
    }
    return name
  }

  /// The `id` of a message or history request: absent, or a string. Any other value is refused
  /// rather than dropped, since the answer could not carry it back and a client matching
  /// answers by id would wait forever.
  static func requestID(in object: JSONObject) throws(ProtocolError) -> String? {
    guard let value = object["id"], value != .null else { return nil }
    guard let id = value.stringValue else {
      throw .badEvent("\"id\" must be a string, e.g. \"7\"; it comes back on every event of the answer")
    }
    return id
  }

  /// The wire form, tags only when set.
  package var json: JSON {
    var object = JSONObject([("message", .string(message))])
    if let sessionID { object["session_id"] = .string(sessionID) }
    if let id { object["id"] = .string(id) }
    if let model { object["model"] = .string(model) }
    if let system { object["system"] = .string(system) }
    if retry { object["retry"] = .bool(true) }
    if let principal { object["principal"] = .string(principal) }
    if !attachments.isEmpty { object["attachments"] = .array(attachments.map(\.json)) }
    return .object(object)
  }
}

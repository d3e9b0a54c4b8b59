/// A message sent to an orchestrator: the seed's `{"message": "…"}`, with optional tags.
public struct InputMessage: Sendable, Hashable {
  public var message: String
  public var sessionID: String?
  public var id: String?
  public var model: String?
  public var system: String?

  public init(message: String, sessionID: String? = nil, id: String? = nil, model: String? = nil, system: String? = nil)
  {
    self.message = message
    self.sessionID = sessionID
    self.id = id
    self.model = model
    self.system = system
  }

  /// Reads a message object; fails when `message` is missing, not a string, or empty.
  public init(json: JSON) throws(ProtocolError) {
    guard let object = json.objectValue else { throw .badEvent("a message must be a JSON object") }
    guard let message = object["message"] else { throw .badEvent("a message needs a \"message\" field") }
    guard let text = message.stringValue else { throw .badEvent("\"message\" must be a string") }
    guard !text.isEmpty else { throw .badEvent("\"message\" is empty") }
    self.message = text
    sessionID = object["session_id"]?.stringValue
    id = object["id"]?.stringValue
    model = object["model"]?.stringValue
    system = object["system"]?.stringValue
  }

  /// The wire form, tags only when set.
  public var json: JSON {
    var object = JSONObject([("message", .string(message))])
    if let sessionID { object["session_id"] = .string(sessionID) }
    if let id { object["id"] = .string(id) }
    if let model { object["model"] = .string(model) }
    if let system { object["system"] = .string(system) }
    return .object(object)
  }
}

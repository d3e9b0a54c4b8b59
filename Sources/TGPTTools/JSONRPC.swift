import TGPTEvents

/// JSON-RPC 2.0 messages as MCP's stdio transport carries them: one compact JSON object per
/// line. Only what a client needs: requests and notifications out, responses and the server's
/// own requests and notifications in.
enum JSONRPC {
  /// A message from the server.
  enum Incoming: Equatable {
    /// The answer to our request `id`: its result, or its error.
    case response(id: Int, outcome: Result<JSON, Failure>)
    /// A request the server makes of us (we answer it: a client must not leave it waiting).
    case request(id: JSON, method: String)
    /// A notification (needs no answer).
    case notification(method: String)
    /// A line that is none of these (not JSON, or an answer to an id we never used).
    case unusable
  }

  /// A JSON-RPC error object.
  struct Failure: Error, Equatable {
    var code: Int
    var message: String
  }

  /// The error code for "method not found".
  static let methodNotFound = -32601

  /// Reads one line from the server.
  static func decode(_ line: [UInt8]) -> Incoming {
    guard let object = (try? JSON.parse(line))?.objectValue else { return .unusable }
    if let method = object["method"]?.stringValue {
      if let id = object["id"], !id.isNull { return .request(id: id, method: method) }
      return .notification(method: method)
    }
    guard let id = object["id"]?.intValue else { return .unusable }
    if let error = object["error"]?.objectValue {
      let code = error["code"]?.intValue ?? 0
      let message = error["message"]?.stringValue ?? "an error without a message"
      return .response(id: id, outcome: .failure(Failure(code: code, message: message)))
    }
    return .response(id: id, outcome: .success(object["result"] ?? .null))
  }

  /// A request line (with its newline).
  static func request(id: Int, method: String, params: JSON?) -> [UInt8] {
    var members: [(String, JSON)] = [("jsonrpc", "2.0"), ("id", .int(id)), ("method", .string(method))]
    if let params { members.append(("params", params)) }
    return line(.object(JSONObject(members)))
  }

  /// A notification line (with its newline).
  static func notification(method: String, params: JSON?) -> [UInt8] {
    var members: [(String, JSON)] = [("jsonrpc", "2.0"), ("method", .string(method))]
    if let params { members.append(("params", params)) }
    return line(.object(JSONObject(members)))
  }

  /// A result answering the server's request `id`.
  static func result(id: JSON, _ result: JSON) -> [UInt8] {
    line(["jsonrpc": "2.0", "id": id, "result": result])
  }

  /// An error answering the server's request `id`.
  static func error(id: JSON, code: Int, message: String) -> [UInt8] {
    line(["jsonrpc": "2.0", "id": id, "error": ["code": .int(code), "message": .string(message)]])
  }

  private static func line(_ value: JSON) -> [UInt8] {
    var writer = JSONWriter()
    writer.value(value)
    writer.byte(UInt8(ascii: "\n"))
    return writer.bytes
  }
}

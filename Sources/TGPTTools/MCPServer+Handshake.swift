import TGPTEvents
import TGPTProviders

extension MCPServer {
  /// The MCP revision we speak.
  static let protocolVersion = "2025-06-18"

  /// Starts the server and does the handshake: `initialize`, `notifications/initialized`,
  /// then `tools/list` (every page). All of it within `timeout`; on any failure the process
  /// is stopped and the error says which server and what went wrong.
  static func connect(
    name: String, command: [String], timeout: Duration
  ) async throws(ToolError) -> (MCPConnection, [ToolSpec], ignored: [String]) {
    let connection = try MCPConnection.spawn(server: name, command: command)
    let deadline = ContinuousClock.now.advanced(by: timeout)
    do throws(ToolError) {
      let initialize: JSON = [
        "protocolVersion": .string(protocolVersion),
        "capabilities": [:],
        "clientInfo": ["name": "tgpt", "version": .string(ToolkitVersion.string)],
      ]
      let answer = try await ask(connection, "initialize", initialize, name: name, timeout: timeout, deadline: deadline)
      guard answer.objectValue != nil else { throw .serverStart(name, "its answer to initialize is not an object") }
      connection.notify("notifications/initialized", params: nil)
      var tools: [ToolSpec] = []
      var ignored: [String] = []
      var cursor: JSON?
      // A server that keeps handing out cursors must not keep us here forever.
      for _ in 0..<1000 {
        let params: JSON? = cursor.map { ["cursor": $0] }
        let page = try await ask(connection, "tools/list", params, name: name, timeout: timeout, deadline: deadline)
        for tool in page["tools"]?.arrayValue ?? [] {
          guard let spec = toolSpec(tool) else {
            ignored.append(tool["name"]?.stringValue ?? "(a tool without a name)")
            continue
          }
          tools.append(spec)
        }
        guard let next = page["nextCursor"], !next.isNull else { break }
        cursor = next
      }
      return (connection, tools, ignored)
    } catch {
      await connection.shutdown(grace: .milliseconds(500))
      throw error
    }
  }

  /// One handshake request; its result, or an error for people.
  private static func ask(
    _ connection: MCPConnection, _ method: String, _ params: JSON?, name: String, timeout: Duration,
    deadline: ContinuousClock.Instant
  ) async throws(ToolError) -> JSON {
    let left = deadline - .now
    guard left > .zero else { throw .serverTimeout(name, after: timeout) }
    switch await connection.request(method, params: params, timeout: left) {
    case .result(let result): return result
    case .failure(let failure): throw .serverStart(name, "it refused \(method): \(failure.message) (\(failure.code))")
    case .ended(let why): throw .serverStart(name, "it \(why) while starting")
    case .notDelivered:
      let why = await connection.ended.wait(timeout: .seconds(5)) ?? "closed its input"
      throw .serverStart(name, "it \(why) while starting")
    case .timedOut: throw .serverTimeout(name, after: timeout)
    case .cancelled: throw .serverStart(name, "its start was cancelled")
    }
  }

  /// A tool of `tools/list` as the model sees it; nil when its name is one providers refuse.
  static func toolSpec(_ tool: JSON) -> ToolSpec? {
    guard let name = tool["name"]?.stringValue, ExecutableTool.isValidName(name) else { return nil }
    var schema = tool["inputSchema"] ?? ["type": "object"]
    if schema.objectValue == nil { schema = ["type": "object"] }
    return ToolSpec(name: name, description: tool["description"]?.stringValue ?? "", parameters: schema)
  }
}

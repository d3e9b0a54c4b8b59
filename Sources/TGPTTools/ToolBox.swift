package import TGPTEvents
package import TGPTProviders

/// The tools one process offers the model: executables and the tools of MCP servers, under
/// names that are unique across all of them.
package final class ToolBox: Sendable {
  /// The executable tools, in the order given.
  package let executables: [ExecutableTool]
  /// The MCP servers, in the order given.
  package let servers: [MCPServer]

  /// A box of these tools. Two tools of one name — two files, two servers, or a file and a
  /// server — are a `ToolError` naming both sources.
  package init(executables: [ExecutableTool] = [], servers: [MCPServer] = []) throws(ToolError) {
    var sources: [String: String] = [:]
    let offered =
      executables.map { ($0.name, $0.origin) }
      + servers.flatMap { server in
        server.tools.map { ($0.name, "MCP server \(server.name)") }
      }
    for (name, source) in offered {
      if let first = sources[name] { throw .duplicateName(name, first: first, second: source) }
      sources[name] = source
    }
    self.executables = executables
    self.servers = servers
  }

  /// Whether the box has no tools (nothing to offer the model).
  package var isEmpty: Bool { specs.isEmpty }

  /// What the model is offered: the executables' specs, then each server's tools (as listed
  /// by the server's latest start).
  package var specs: [ToolSpec] {
    var seen = Set<String>()
    return (executables.map(\.spec) + servers.flatMap(\.tools)).filter { seen.insert($0.name).inserted }
  }

  /// Runs the tool `call` names. An executable's stdout goes to `onOutput` as it arrives; an
  /// MCP tool's result comes whole. A name no tool has is an error outcome that lists the
  /// names there are (the model may have misspelt one).
  package func run(
    _ call: Event.ToolCall, workingDirectory: String? = nil, onOutput: @escaping @Sendable (String) -> Void
  ) async -> ToolOutcome {
    if let tool = executables.first(where: { $0.name == call.name }) {
      return await tool.run(arguments: call.arguments, workingDirectory: workingDirectory, onOutput: onOutput)
    }
    if let server = servers.first(where: { server in server.tools.contains { $0.name == call.name } }) {
      return await server.call(name: call.name, arguments: call.arguments)
    }
    let names = specs.map(\.name)
    let known = names.isEmpty ? "there are no tools" : "the tools are: \(names.joined(separator: ", "))"
    return ToolOutcome(content: "no tool named \(call.name); \(known)", isError: true)
  }

  /// Stops every MCP server (concurrently).
  package func shutdown() async {
    await withTaskGroup(of: Void.self) { group in
      for server in servers { group.addTask { await server.stop() } }
    }
  }
}

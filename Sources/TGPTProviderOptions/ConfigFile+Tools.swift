import TGPTEvents
import TGPTProviders

extension ConfigFile {
  /// The directory of tool definitions enabled by name (`--tools a,b`, `tools = [...]`):
  /// `tools/` beside the config file.
  package var toolsDirectory: String? {
    guard let file = path ?? ConfigFile.defaultPath, let slash = file.lastIndex(of: "/") else { return nil }
    return String(file[..<slash]) + "/tools"
  }

  /// `[mcp.NAME]` tables, in name order: each needs `command`, a non-empty array of strings.
  static func mcpServers(
    _ reader: inout TableReader, path: String, warnings: inout [String]
  ) throws(ProviderError) -> [(name: String, command: [String])] {
    guard let tables = try reader.table("mcp") else { return [] }
    var servers: [(name: String, command: [String])] = []
    for (name, value) in tables.sorted(by: { $0.key < $1.key }) {
      guard let table = value.objectValue else { throw .config("\(path): mcp.\(name) must be a table") }
      var sub = TableReader(path: path, table: table, prefix: "mcp.\(name).")
      guard let command = try sub.strings("command"), !command.isEmpty else {
        throw .config(
          "\(path): mcp.\(name).command must be a non-empty array of strings, e.g. [\"uvx\", \"mcp-server-time\"]")
      }
      servers.append((name, command))
      warnings += sub.unknownKeys()
    }
    return servers
  }
}

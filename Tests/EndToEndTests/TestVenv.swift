import Foundation
import Testing

/// The real MCP server of the tests, `mcp-server-time` from PyPI, in the venv that
/// `Scripts/test-venv.sh` makes on first use.
enum TestVenv {
  private static let ready = Task { () throws -> String in
    let script = DocSources.root.appendingPathComponent("Scripts/test-venv.sh").path
    let result = try await Harness.shell("'\(script)'", env: ProcessInfo.processInfo.environment)
    guard result.status == 0 else {
      throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "test-venv.sh: \(result.stderr)"])
    }
    return result.text.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The path of the `mcp-server-time` program.
  static func mcpServerTime() async throws -> String { try await ready.value }
}

package import TGPTEvents

/// Why a tool could not be set up: a bad tool file, an unknown tool name, two tools of one
/// name, or an MCP server that would not start. Each message names the file or the server.
///
/// A tool that fails while it runs is not an error of this kind: it is a `ToolOutcome` with
/// `isError`, which goes back to the model.
package struct ToolError: KindedError, Sendable, Equatable {
  private enum Reason: Sendable, Equatable {
    case unreadableFile(path: String, why: String)
    case badFile(path: String, why: String)
    case unknownTool(name: String, directory: String, known: [String])
    case duplicateName(name: String, first: String, second: String)
    case serverStart(server: String, why: String)
    case serverTimeout(server: String, seconds: String)
  }

  private let reason: Reason

  private init(_ reason: Reason) { self.reason = reason }

  static func unreadableFile(_ path: String, _ why: String) -> ToolError {
    ToolError(.unreadableFile(path: path, why: why))
  }
  static func badFile(_ path: String, _ why: String) -> ToolError { ToolError(.badFile(path: path, why: why)) }
  static func unknownTool(_ name: String, directory: String, known: [String]) -> ToolError {
    ToolError(.unknownTool(name: name, directory: directory, known: known))
  }
  static func duplicateName(_ name: String, first: String, second: String) -> ToolError {
    ToolError(.duplicateName(name: name, first: first, second: second))
  }
  static func serverStart(_ server: String, _ why: String) -> ToolError {
    ToolError(.serverStart(server: server, why: why))
  }
  static func serverTimeout(_ server: String, after timeout: Duration) -> ToolError {
    ToolError(.serverTimeout(server: server, seconds: timeout.secondsText))
  }

  /// `config` for files, names and duplicates; `unavailable` for a server that did not start;
  /// `timeout` for one that did not answer in time.
  package var kind: ErrorKind {
    switch reason {
    case .unreadableFile, .badFile, .unknownTool, .duplicateName: .config
    case .serverStart: .unavailable
    case .serverTimeout: .timeout
    }
  }

  package var description: String {
    switch reason {
    case .unreadableFile(let path, let why): "cannot read tool file \(path): \(why)"
    case .badFile(let path, let why): "tool file \(path): \(why)"
    case .unknownTool(let name, let directory, let known):
      known.isEmpty
        ? "no tool named \(name): \(directory) has no tool files"
        : "no tool named \(name) in \(directory); the tools there are: \(known.joined(separator: ", "))"
    case .duplicateName(let name, let first, let second):
      "two tools are named \(name): one from \(first), one from \(second)"
    case .serverStart(let server, let why): "MCP server \(server): \(why)"
    case .serverTimeout(let server, let seconds): "MCP server \(server) did not start within \(seconds) s"
    }
  }
}

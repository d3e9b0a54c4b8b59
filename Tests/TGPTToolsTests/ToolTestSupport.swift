import Foundation
import TGPTEvents
import TGPTProviders
import TGPTTools
import Testing

/// A temporary directory for one test, removed by `remove()`.
struct Scratch {
  let path: String

  init() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-tools-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    // The real path: a tool's `pwd` reports it so.
    path = url.resolvingSymlinksInPath().path
  }

  /// Writes `text` to `name` in the directory; returns its path.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    let file = path + "/" + name
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    return file
  }

  func file(_ name: String) -> String { path + "/" + name }

  func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

  func read(_ name: String) -> String? { try? String(contentsOfFile: file(name), encoding: .utf8) }

  func remove() { try? FileManager.default.removeItem(atPath: path) }

  /// A tool running `script` with `/bin/sh`; the script's `$1` is this directory.
  func shellTool(
    _ name: String, _ script: String, timeout: Duration = .seconds(120), maxOutputBytes: Int = 65536
  ) throws -> ExecutableTool {
    let file = try write(name + ".sh", script)
    return ExecutableTool(
      spec: ToolSpec(name: name, description: "a test tool", parameters: ["type": "object"]),
      command: ["/bin/sh", file, path], timeout: timeout, maxOutputBytes: maxOutputBytes, origin: file)
  }
}

/// What a tool streamed, collected from `onOutput`.
final class Streamed: Sendable {
  private let pieces = Guarded<[String]>([])

  var all: [String] { pieces.withLock { $0 } }
  var text: String { all.joined() }

  /// The closure to pass as `onOutput`.
  var collect: @Sendable (String) -> Void { { piece in self.pieces.withLock { $0.append(piece) } } }
}

struct ConditionNotMet: Error, CustomStringConvertible {
  let description: String
}

/// Waits until `condition` holds, checking every few milliseconds, for at most two minutes
/// (a deadline for a broken build, not a timing assumption).
func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
  let deadline = ContinuousClock.now.advanced(by: .seconds(120))
  while !condition() {
    guard ContinuousClock.now < deadline else { throw ConditionNotMet(description: "gave up waiting: \(what)") }
    try await Task.sleep(for: .milliseconds(10))
  }
}

/// Whether process `pid` has ended (a zombie that nobody has reaped yet counts as ended).
func processIsGone(_ pid: Int32) -> Bool {
  if kill(pid, 0) != 0 { return errno == ESRCH }
  guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
  // The state follows the command name in parentheses: "123 (sleep) Z …".
  guard let close = stat.lastIndex(of: ")") else { return false }
  return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
}

/// `MCPServer.start` with limits of minutes unless a test sets its own: on a loaded machine a
/// Python server can take long to start, and only the tests about limits may depend on them.
func startPatiently(
  name: String, command: [String], callTimeout: Duration = .seconds(300), startTimeout: Duration = .seconds(300)
) async throws(ToolError) -> MCPServer {
  try await MCPServer.start(name: name, command: command, callTimeout: callTimeout, startTimeout: startTimeout)
}

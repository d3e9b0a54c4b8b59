import Foundation
import TGPTEvents

/// A Python virtual environment with `mcp-server-time` from PyPI, at `.build/test-venv`:
/// `Scripts/test-venv.sh` makes it on first use (once, under an flock, for every test process
/// that starts at once) and keeps it for later runs.
enum TestVenv {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  /// The path of the `mcp-server-time` program, once the venv is ready.
  static func mcpServerTime() async throws -> String {
    try await ready.value
    return repository + "/.build/test-venv/bin/mcp-server-time"
  }

  private static let ready = Task { try await DedicatedThread.run { () throws(SetupFailure) in try build() } }

  struct SetupFailure: Error, CustomStringConvertible {
    let description: String
  }

  /// Runs the script (blocking: on a thread of its own).
  private static func build() throws(SetupFailure) {
    let command = [repository + "/Scripts/test-venv.sh"]
    let pid: pid_t
    do throws(ChildSpawn.Failure) {
      pid = try ChildSpawn.start(command, stdin: .null, stdout: .null, stderr: .inherit)
    } catch {
      throw SetupFailure(description: "cannot start \(command[0]): \(error)")
    }
    let status = ChildSpawn.waitForExit(pid)
    guard status == 0 else { throw SetupFailure(description: "\(command[0]) exited with status \(status)") }
  }
}

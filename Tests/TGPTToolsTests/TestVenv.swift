import Foundation
import TGPTEvents

/// A Python virtual environment with `mcp-server-time` from PyPI, at `.build/test-venv` in the
/// package: made by the first test that needs it (`python3 -m venv`, then `pip install`), and
/// kept for later runs. An flock on `.build/test-venv.lock` makes test processes that start at
/// once build it once; within a process, one task builds it and the others wait for it.
enum TestVenv {
  /// The pinned server version, so that a new release cannot change what the tests see.
  static let package = "mcp-server-time==2026.10.19"

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(".build").path
  static let directory = root + "/test-venv"

  /// The path of the `mcp-server-time` program, once the venv is ready.
  static func mcpServerTime() async throws -> String {
    try await ready.value
    return directory + "/bin/mcp-server-time"
  }

  private static let ready = Task { try await DedicatedThread.run { () throws(SetupFailure) in try build() } }

  struct SetupFailure: Error, CustomStringConvertible {
    let description: String
  }

  /// Builds the venv unless a finished one is there (blocking: runs on a thread of its own).
  private static func build() throws(SetupFailure) {
    let marker = directory + "/.tgpt-ready-" + package
    let lock = open(root + "/test-venv.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard lock >= 0 else { throw SetupFailure(description: "cannot open \(root)/test-venv.lock") }
    defer { close(lock) }
    flock(lock, LOCK_EX)
    defer { flock(lock, LOCK_UN) }
    if FileIO.exists(marker) { return }
    try run(["rm", "-rf", directory])
    try run(["python3", "-m", "venv", directory])
    try run([
      directory + "/bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", package,
    ])
    try run(["touch", marker])
  }

  private static func run(_ command: [String]) throws(SetupFailure) {
    let pid: pid_t
    do throws(ChildSpawn.Failure) {
      pid = try ChildSpawn.start(command, stdin: .null, stdout: .inherit, stderr: .inherit)
    } catch {
      throw SetupFailure(description: "cannot start \(command.joined(separator: " ")): \(error)")
    }
    let status = ChildSpawn.waitForExit(pid)
    guard status == 0 else {
      throw SetupFailure(description: "\(command.joined(separator: " ")) exited with status \(status)")
    }
  }
}

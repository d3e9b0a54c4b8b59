import Foundation
import TGPTEvents
import Testing

/// A terminal program driven through tmux: keys in, the screen read back, and every byte the
/// program wrote to its terminal in a log (`pipe-pane`), so what was shown only for a moment
/// (a spinner) is still there to find. tmux runs on threads of its own, never on the pool's.
final class TmuxSession: Sendable {
  let socket = "tgpt-test-\(UUID().uuidString.prefix(8))"
  let name = "chat"
  /// Everything the pane received, from the program's first byte.
  let log: URL
  private let go: URL

  /// Starts `command` in a 100×50 pane with exactly `env`. The program starts only once the
  /// log is attached, so none of its output is missed.
  static func start(command: String, env: [String: String]) async throws -> TmuxSession {
    let session = TmuxSession()
    let exports = env.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
    // `env -i`: only `env` reaches the program (the test runner's own NO_COLOR would not).
    let shell =
      "until [ -e '\(session.go.path)' ]; do sleep 0.02; done; env -i \(exports) \(command); echo EXIT=$?; sleep 600"
    try await session.tmux(["new-session", "-d", "-s", session.name, "-x", "100", "-y", "50", shell], detached: true)
    try await session.tmux(["pipe-pane", "-t", session.name, "-o", "cat >> '\(session.log.path)'"])
    _ = FileManager.default.createFile(atPath: session.go.path, contents: nil)
    return session
  }

  private init() {
    let directory = Harness.scratchDirectory()
    log = directory.appendingPathComponent("pane.log")
    go = directory.appendingPathComponent("go")
  }

  /// Runs tmux and returns its stdout. A new session's server outlives the call: it must not
  /// hold our pipe, so `detached` gives it none.
  @discardableResult
  func tmux(_ arguments: [String], detached: Bool = false) async throws -> String {
    let argv = ["-L", socket] + arguments
    return try await DedicatedThread.run { () throws(Spawn.Failure) -> String in
      try Self.runTmux(argv, detached: detached)
    }
  }

  private static func runTmux(_ arguments: [String], detached: Bool) throws(Spawn.Failure) -> String {
    let environment = ProcessInfo.processInfo.environment
    let started = try Spawn.start(
      "tmux", arguments, env: environment, pipeStdin: false, captureStderr: false, detachedOutput: detached)
    let output = Collected()
    if started.stdout >= 0 { Spawn.drain(started.stdout, into: output) }
    _ = ChildSpawn.waitForExit(started.pid)
    return output.text
  }

  func send(_ keys: String...) async throws { try await tmux(["send-keys", "-t", name] + keys) }

  /// The screen and 200 lines of scrollback.
  func screen() async -> String { (try? await tmux(["capture-pane", "-p", "-S", "-200", "-t", name])) ?? "" }

  /// Everything the program wrote to its terminal so far.
  func written() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

  /// Waits until `condition` holds for the screen (a deadline of two minutes, for a hang); the
  /// screen then. A state that stays (an answer shown) cannot be missed by looking now and then.
  @discardableResult
  func wait(_ what: String, until condition: (String) -> Bool) async throws -> String {
    try await Self.poll(what, read: { await self.screen() }, until: condition)
  }

  /// Waits until `condition` holds for everything written so far (the pane's log).
  @discardableResult
  func waitForOutput(_ what: String, until condition: (String) -> Bool) async throws -> String {
    try await Self.poll(what, read: { self.written() }, until: condition)
  }

  private static func poll(
    _ what: String, read: () async -> String, until condition: (String) -> Bool
  ) async throws -> String {
    var last = ""
    let seen = try await Harness.eventually(what) {
      last = await read()
      return condition(last)
    }
    guard seen else {
      Issue.record("what was there instead:\n\(last)")
      throw CancellationError()
    }
    return last
  }

  deinit {
    // Started here, not later on a thread of its own, so the server is ended even when the
    // test process exits next; only the reaping waits.
    let killed = try? Spawn.start(
      "tmux", ["-L", socket, "kill-server"], env: ProcessInfo.processInfo.environment, pipeStdin: false,
      captureStderr: false, detachedOutput: true)
    if let killed { DedicatedThread.start { _ = ChildSpawn.waitForExit(killed.pid) } }
  }
}

import Foundation
import Testing

/// `tgpt-ws-bridge serve` on a free loopback port, as a test's server.
final class BridgeServerProcess: Sendable {
  let process: RunningProcess
  /// `http://127.0.0.1:PORT`.
  let baseURL: String

  /// `ws://127.0.0.1:PORT`.
  var wsBase: String { "ws" + baseURL.dropFirst(4) }

  /// The port it listens on.
  var port: Int { Int(baseURL.split(separator: ":").last ?? "") ?? 0 }

  /// `ws://127.0.0.1:PORT/ws/chat/<session>`.
  func ws(_ session: String) -> String { "ws" + baseURL.dropFirst(4) + "/ws/chat/" + session }

  /// Starts the server with `arguments` (after `serve --port PORT`, a free one by default);
  /// `child` defaults to `tgpt-session serve --provider echo` on a fresh store. Returns once it
  /// has printed its address.
  static func start(
    _ arguments: [String] = [], child: [String]? = nil, port: Int = 0, env: [String: String] = Harness.environment()
  ) async throws -> BridgeServerProcess {
    let command = child ?? [Harness.binary("tgpt-session").path, "serve", "--provider", "echo"]
    let (process, address) = try await RunningProcess.start(
      Harness.binary("tgpt-ws-bridge").path, ["serve", "--port", String(port)] + arguments + ["--"] + command,
      env: env)
    return BridgeServerProcess(process: process, baseURL: address)
  }

  private init(process: RunningProcess, baseURL: String) {
    self.process = process
    self.baseURL = baseURL
  }

  /// What the server wrote on stderr so far.
  var stderr: String { process.stderr }

  /// Sends `signal` and waits for the server to exit; its status.
  @discardableResult func stop(_ signal: Int32 = SIGTERM) async -> Int32 {
    process.signal(signal)
    return await process.exitStatus()
  }

  /// Sends SIGTERM without waiting (for `defer`, which cannot await); a thread of the
  /// process's own reaps it.
  func terminate() { process.signal(SIGTERM) }
}

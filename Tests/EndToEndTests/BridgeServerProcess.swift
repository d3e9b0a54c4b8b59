import Foundation
import Synchronization

/// `tgpt-ws-bridge serve` on a free loopback port, as a test's server.
final class BridgeServerProcess: @unchecked Sendable {
  let process = Process()
  /// `http://127.0.0.1:PORT`.
  let baseURL: String
  private let errors = ErrorBuffer()
  private let errorsDone = DispatchSemaphore(value: 0)

  final class ErrorBuffer: Sendable {
    let data = Mutex(Data())
  }

  /// `ws://127.0.0.1:PORT`.
  var wsBase: String { "ws" + baseURL.dropFirst(4) }

  /// The port it listens on.
  var port: Int { Int(baseURL.split(separator: ":").last ?? "") ?? 0 }

  /// `ws://127.0.0.1:PORT/ws/chat/<session>`.
  func ws(_ session: String) -> String { "ws" + baseURL.dropFirst(4) + "/ws/chat/" + session }

  /// Starts the server with `arguments` (after `serve --port PORT`, a free one by default);
  /// `child` defaults to `tgpt-session serve --provider echo` on a fresh store.
  init(
    _ arguments: [String] = [], child: [String]? = nil, port: Int = 0, env: [String: String] = Harness.environment()
  ) throws {
    process.executableURL = Harness.binary("tgpt-ws-bridge")
    let command = child ?? [Harness.binary("tgpt-session").path, "serve", "--provider", "echo"]
    process.arguments = ["serve", "--port", String(port)] + arguments + ["--"] + command
    process.environment = env
    let output = Pipe()
    let errorPipe = Pipe()
    process.standardOutput = output
    process.standardError = errorPipe
    process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
    try process.run()
    let errors = errors
    let done = errorsDone
    DispatchQueue.global().async {
      while true {
        let piece = errorPipe.fileHandleForReading.availableData
        if piece.isEmpty { break }
        errors.data.withLock { $0.append(piece) }
      }
      done.signal()
    }
    baseURL = Harness.firstLine(of: output.fileHandleForReading)
  }

  /// What the server wrote on stderr so far.
  var stderr: String { String(decoding: errors.data.withLock { $0 }, as: UTF8.self) }

  /// Sends `signal` and waits for the server to exit; its status.
  @discardableResult func stop(_ signal: Int32 = SIGTERM) -> Int32 {
    if process.isRunning { kill(process.processIdentifier, signal) }
    process.waitUntilExit()
    errorsDone.wait()
    return process.terminationStatus
  }

  deinit { if process.isRunning { process.terminate() } }
}

import Foundation
import Testing

/// Every error path exits with its documented code every time. `exit()` once ran OpenSSL's
/// clean-up while libcurl was still loading on another thread: the right message, then
/// SIGSEGV (139) in most runs, so each path runs many times here.
@Suite(.timeLimit(.minutes(10))) struct ExitCodeTests {
  /// A home whose config file cannot be parsed.
  static func brokenConfigHome() throws -> URL {
    let home = Harness.scratchDirectory()
    let config = home.appendingPathComponent("config/tgpt")
    try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
    try "model = \n".write(to: config.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
    return home
  }

  static let runs = 12

  /// A failing command line and the code it must exit with.
  struct ErrorPath: Sendable, CustomTestStringConvertible {
    let command: [String]
    let code: Int32
    var testDescription: String { command.joined(separator: " ") + " → \(code)" }
  }

  static let errorPaths: [ErrorPath] = [
    ErrorPath(command: ["tgpt-stream", "hi"], code: 77),
    ErrorPath(command: ["tgpt-stream", "--provider", "anthropic", "hi"], code: 77),
    ErrorPath(command: ["tgpt-stream", "--provider", "openai", "--text", "hi"], code: 77),
    ErrorPath(command: ["tgpt-session", "--provider", "openai", "hi"], code: 77),
    ErrorPath(command: ["tgpt-session", "--provider", "anthropic", "-s", "k", "hi"], code: 77),
    // A PostgreSQL server that is not there (a closed port): unavailable, whatever the command.
    ErrorPath(command: ["tgpt-session", "list", "--store", "postgres://tgpt@127.0.0.1:1/x"], code: 69),
    ErrorPath(
      command: ["tgpt-session", "--store", "postgres://tgpt@127.0.0.1:1/x", "--provider", "echo", "hi"], code: 69),
    ErrorPath(command: ["tgpt-session", "list", "--store", "postgres://x@h/d?sslmode=maybe"], code: 78),
    ErrorPath(command: ["tgpt-stream", "--base-url", "http://exa mple.com/v1", "hi"], code: 78),
    ErrorPath(command: ["tgpt-ws-bridge", "ws://127.0.0.1:1/ws/chat/x"], code: 69),
    ErrorPath(command: ["tgpt-stream", "--no-such-flag"], code: 64),
    ErrorPath(command: ["tgpt-session", "serve", "--provider", "echo", "--max-turns", "65537"], code: 64),
  ]

  @Test(arguments: errorPaths)
  func anErrorPathExitsWithItsCodeEveryTime(_ path: ErrorPath) async throws {
    // No key in the environment, stdin empty: as from cron.
    let env = Harness.environment()
    for _ in 0..<Self.runs {
      let result = try await Harness.run(path.command[0], Array(path.command.dropFirst()), stdin: "", env: env)
      #expect(result.status == path.code, "\(path.testDescription): \(result.stderr)")
      #expect(!result.stderr.contains("double free") && !result.stderr.contains("Segmentation"))
    }
  }

  @Test(arguments: ["tgpt-stream", "tgpt-session"])
  func aBrokenConfigFileExits78EveryTime(_ program: String) async throws {
    let env = Harness.environment(["OPENROUTER_API_KEY": "k"], home: try Self.brokenConfigHome())
    for _ in 0..<Self.runs {
      let result = try await Harness.run(program, ["hi"], env: env)
      #expect(result.status == 78, "\(result.stderr)")
    }
  }
}

import ArgumentParser
import TGPTCommandSupport
import TGPTEvents

@main
struct BridgeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tgpt-ws-bridge",
    abstract: "Bridge NDJSON on stdin/stdout and WebSocket: a chat client, and a chat server.",
    discussion: """
      Without a command, a client: tgpt-ws-bridge URL (see tgpt-ws-bridge connect --help). \
      serve exposes /ws/chat/{session_id} by relaying to tgpt-session serve; token makes a \
      principal's token for serve --tokens. \
      check runs a streaming test suite against any server that speaks the protocol; bench is a \
      load generator. Both delete the sessions they make when done.
      Exit codes: 0 ok, 64 usage, 65 bad input, 69 unavailable (refused, DNS, TLS, closed), \
      75 timeout or rate limited, 77 auth, 130 SIGINT, 143 SIGTERM.

      Examples:
        tgpt-ws-bridge serve --port 8000 &
        echo "Why is the sky blue?" | tgpt-ws-bridge ws://127.0.0.1:8000/ws/chat/work | tgpt-render
        tgpt-ws-bridge check ws://127.0.0.1:8000
      """,
    version: "tgpt-ws-bridge \(ToolkitVersion.string)",
    subcommands: [ConnectCommand.self, ServeCommand.self, TokenCommand.self, CheckCommand.self, BenchCommand.self],
    defaultSubcommand: ConnectCommand.self
  )

  static func main() async { await runMain(program: "tgpt-ws-bridge") }
}

/// Seconds given on the command line, as a duration; nil for 0 when `zeroIsNone`.
func duration(_ seconds: Double, _ name: String) throws -> Duration {
  guard seconds.isFinite, seconds > 0, seconds < 1e9 else {
    throw ValidationError("\(name) must be a positive number of seconds")
  }
  return .milliseconds(Int64(seconds * 1000))
}

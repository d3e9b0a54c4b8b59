import ArgumentParser
import Logging
import TGPTBridgeClient
import TGPTCommandSupport
import TGPTEvents

/// `tgpt-ws-bridge check URL`: the seed's test suite as a command.
struct CheckCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract:
      "Run a streaming test suite (answers, sessions, errors, connections) against any server that speaks the protocol.",
    discussion: """
      Tests: connection; streaming_response (chunks, content, time to first chunk, total \
      time); multiple_sessions (three at once); error_handling (an empty message, invalid \
      JSON, a missing message, a 200 kB message — each must get an error event and leave \
      the connection usable — and an invalid session id, which must be refused). One line per \
      test, PASS or FAIL with what was seen; --json prints one JSON object per test instead. \
      Exit 0 when all passed, 1 when any failed. \
      The sessions made (check-XXXXXXXX-…) are deleted at the end ({"delete":true}), also after \
      Ctrl-C or SIGTERM; any the server did not delete are named on stderr. A refused token \
      stops the run with exit 77.

      Example:
        tgpt-ws-bridge check ws://127.0.0.1:8000 --test all
      """
  )

  @Argument(help: ArgumentHelp(sessionsURLHelp, valueName: "url"))
  var url: String

  @Option(
    help: ArgumentHelp(
      "streaming_response, multiple_sessions, error_handling, connection or all.", valueName: "test"))
  var test = "all"

  @Option(help: ArgumentHelp("Bearer token. Env: TGPT_WS_TOKEN.", valueName: "token"))
  var token: String?

  @Option(help: ArgumentHelp("Seconds each conversation may take.", valueName: "sec"))
  var timeout: Double = 60

  @Flag(help: "One JSON object per test on stdout.")
  var json = false

  func validate() throws {
    _ = try sessionsTarget(url)
    guard test == "all" || ServerCheck.names.contains(test) else {
      throw ValidationError("--test must be one of: all, \(ServerCheck.names.joined(separator: ", "))")
    }
  }

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    StderrLogHandler.bootstrap(program: "tgpt-ws-bridge", level: .critical)
    let target = try sessionsTarget(url)
    if let note = target.namedSessionNote("check") { Diagnostics.note(note) }
    let token = token ?? ProcessEnvironment.value("TGPT_WS_TOKEN")
    let check = ServerCheck(
      target: target, token: token, timeout: try duration(timeout, "--timeout"), logger: Logger(label: "tgpt.ws-bridge")
    )
    let test = test
    let (results, trap) = await stoppableBySignal { await check.run(test) }
    for result in results {
      if json {
        var fields: [(String, JSON)] = [
          ("test", .string(result.name)), ("passed", .bool(result.passed)), ("detail", .string(result.detail)),
        ]
        fields += result.figures.map { ($0.0, JSON.double($0.1)) }
        var writer = JSONWriter()
        writer.value(.object(JSONObject(fields)))
        try? FileIO.writeAll(1, String(decoding: writer.bytes, as: UTF8.self) + "\n")
      } else {
        try? FileIO.writeAll(1, "\(result.passed ? "PASS" : "FAIL") \(result.name): \(result.detail)\n")
      }
    }
    let failed = results.filter { !$0.passed }.count
    if !json { try? FileIO.writeAll(1, "\(results.count - failed) passed, \(failed) failed\n") }
    warnOfLeftovers(check.madeSessions, prefix: check.sessionPrefix)
    if trap.signal != nil { throw ExitCode(trap.exitCode) }
    if results.contains(where: \.authRefused) { throw refusedToken(target, token: token) }
    if failed > 0 { throw ExitCode(1) }
  }
}

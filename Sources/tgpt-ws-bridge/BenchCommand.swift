import ArgumentParser
import Logging
import TGPTBridgeClient
import TGPTCommandSupport
import TGPTEvents

/// `tgpt-ws-bridge bench URL`: a load generator.
struct BenchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Load a server: N sessions at once, M messages each; events/s and latency percentiles.",
    discussion: """
      Each session is one connection sending its messages one after another, each after the \
      previous answer ended. Prints events/s and time to first chunk / to complete (p50, p99); \
      --json for one JSON object. Exit 1 when any message went unanswered or a connection failed. \
      All sessions come from one address, which tgpt-ws-bridge serve rate-limits (--rate): \
      serve with --rate 0 for a load test. \
      Each session (bench-XXXXXXXX-N) is deleted once its messages are answered \
      ({"delete":true}), also after Ctrl-C or SIGTERM; any the server did not delete are named \
      on stderr. A refused token ends with exit 77.

      Example:
        tgpt-ws-bridge serve --port 8000 --rate 0 &
        tgpt-ws-bridge bench ws://127.0.0.1:8000 --sessions 1000 --messages 5
      """
  )

  @Argument(help: ArgumentHelp(sessionsURLHelp, valueName: "url"))
  var url: String

  @Option(help: ArgumentHelp("Connections at once.", valueName: "n"))
  var sessions = 100

  @Option(help: ArgumentHelp("Messages per session.", valueName: "m"))
  var messages = 5

  @Option(help: ArgumentHelp("Words per message.", valueName: "n"))
  var words = 20

  @Option(help: ArgumentHelp("Bearer token. Env: TGPT_WS_TOKEN.", valueName: "token"))
  var token: String?

  @Option(help: ArgumentHelp("Seconds each session may take.", valueName: "sec"))
  var timeout: Double = 120

  @Option(
    help: ArgumentHelp(
      "Instead: open N idle connections (sending nothing), hold them for --hold seconds, close.", valueName: "n"))
  var idle: Int?

  @Option(help: ArgumentHelp("Seconds to hold --idle connections.", valueName: "sec"))
  var hold: Double = 10

  @Flag(help: "Print the figures as one JSON object.")
  var json = false

  func validate() throws {
    _ = try sessionsTarget(url)
    if let idle, idle < 1 { throw ValidationError("--idle must be at least 1") }
    if sessions < 1 || messages < 1 || words < 1 {
      throw ValidationError("--sessions, --messages and --words must be at least 1")
    }
  }

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    StderrLogHandler.bootstrap(program: "tgpt-ws-bridge", level: .critical)
    ResourceLimits.raiseOpenFiles()
    let target = try sessionsTarget(url)
    if let note = target.namedSessionNote("bench") { Diagnostics.note(note) }
    let token = token ?? ProcessEnvironment.value("TGPT_WS_TOKEN")
    if let idle { return try await holdIdle(idle, target: target, token: token) }
    let generator = LoadGenerator(
      target: target, token: token, timeout: try duration(timeout, "--timeout"), logger: Logger(label: "tgpt.ws-bridge")
    )
    let (sessions, messages, words) = (self.sessions, self.messages, self.words)
    let (report, trap) = await stoppableBySignal {
      await generator.run(sessions: sessions, messages: messages, words: words)
    }
    if json {
      var writer = JSONWriter()
      writer.value(report.json)
      try? FileIO.writeAll(1, String(decoding: writer.bytes, as: UTF8.self) + "\n")
    } else {
      let p = LoadGenerator.Report.percentile
      try? FileIO.writeAll(
        1,
        """
        \(report.completed) of \(report.sessions * report.messages) messages completed, \(report.failedConnections) connections failed
        \(report.events) events in \(format(report.seconds)) s = \(Int(report.eventsPerSecond)) events/s
        first chunk p50 \(format(p(report.firstChunk, 50))) ms, p99 \(format(p(report.firstChunk, 99))) ms
        complete p50 \(format(p(report.complete, 50))) ms, p99 \(format(p(report.complete, 99))) ms

        """)
      for failure in report.failures { Diagnostics.write("tgpt-ws-bridge: \(failure)\n") }
    }
    warnOfLeftovers(generator.madeSessions, prefix: generator.sessionPrefix)
    if trap.signal != nil { throw ExitCode(trap.exitCode) }
    if report.authRefused > 0 { throw refusedToken(target, token: token) }
    if report.completed != report.sessions * report.messages || report.failedConnections > 0 { throw ExitCode(1) }
  }
}

func format(_ value: Double) -> String { String((value * 10).rounded() / 10) }

extension BenchCommand {
  func holdIdle(_ count: Int, target: SessionsTarget, token: String?) async throws {
    let (opened, failed, failures) = await IdleConnections.hold(
      template: target.template, token: token, count: count,
      hold: try duration(hold, "--hold"), logger: Logger(label: "tgpt.ws-bridge"))
    try? FileIO.writeAll(1, "{\"idle_requested\":\(count),\"idle_opened\":\(opened),\"idle_failed\":\(failed)}\n")
    for failure in failures { Diagnostics.write("tgpt-ws-bridge: \(failure)\n") }
    if opened != count || failed > 0 { throw ExitCode(1) }
  }
}

import ArgumentParser
import TGPTCommandSupport
import TGPTEvents
import TGPTOrchestrator
import TGPTProviderOptions
import TGPTProviders
import TGPTSession
import TGPTTools

#if canImport(Glibc)
  import Glibc
#endif

/// `tgpt-session serve`: many sessions at once over one stdin/stdout.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Answer {\"message\":…} lines from stdin for many sessions at once (a co-process).",
    discussion: """
      Each stdin line is a turn: {"message":…,"session_id":…,"id":…} (model and system \
      optional). Sessions run at once; turns of one session run in input order. Every event is \
      tagged with the turn's id (made when the line has none) and session_id, and every turn \
      ends with exactly one complete or error event. A line that is not a valid message gets \
      one error event (code bad_input) and the loop goes on. At the end of stdin the turns in \
      flight finish and the program exits 0; SIGINT or SIGTERM ends them with an interrupted \
      error instead (exit 130 or 143).

      Tools (--tool, --tools, --mcp) are the server's: a message can never name a command. \
      They run without asking (--approve ask denies, as there is no terminal to ask on); the \
      MCP servers start before the first line is read and live until the end.

      Example:
        printf '%s\\n' '{"message":"hi","session_id":"a","id":"1"}' | tgpt-session serve --provider echo
      """
  )

  @Option(
    name: [.short, .long],
    help: ArgumentHelp("The session of lines without session_id (default: one new session).", valueName: "id"))
  var session: String?

  @Option(
    help: ArgumentHelp(
      "The most turns handled at once (1 to \(ServeCommand.maxTurnsLimit)); further lines wait in the pipe.",
      valueName: "n"))
  var maxTurns = 512

  @OptionGroup var turnOptions: TurnOptions

  /// Far more turns than one process can run at once; each is a line the reader may hold.
  static let maxTurnsLimit = 65_536

  func validate() throws {
    if let session, !SessionID.isValid(session) {
      throw ValidationError("invalid session id '\(session)': use \(SessionID.rule)")
    }
    if maxTurns < 1 { throw ValidationError("--max-turns must be at least 1") }
    if maxTurns > Self.maxTurnsLimit { throw ValidationError("--max-turns must be at most \(Self.maxTurnsLimit)") }
  }

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    StderrLogHandler.bootstrap(program: "tgpt-session", level: turnOptions.logLevel)
    ResourceLimits.raiseOpenFiles()
    let trap = SignalTrap()
    let work = WorkSlot()
    trap.install { _ in
      if !work.cancel() { _exit(trap.exitCode) }
    }
    let config = try ConfigFile.load(path: ConfigFile.defaultPath)
    config.warnings.forEach(Diagnostics.warning)
    let store = try await turnOptions.storeOptions.open(config: config, access: .create)
    // Better to stop now, and be restarted by a supervisor once the store is fixed, than to
    // answer every turn with "attempt to write a readonly database".
    try await store.checkWritable()
    // Servers start before the first line is read: one that cannot start stops the program
    // now, where a supervisor sees it, rather than failing every turn.
    let toolBox = try await turnOptions.toolOptions.load(config: config)
    // No terminal to ask on: the protocol carries no approvals, so `ask` denies.
    let tools = toolBox.map { turnOptions.toolOptions.turnTools($0, defaultMode: .always, asker: nil) }
    let loop = MessageLoop(
      runner: turnOptions.makeRunner(store: store, config: config, tools: tools, output: 1), order: .perSession,
      defaultSession: session ?? SessionIDRule.makeUnguessable(),
      settings: try turnOptions.flagSettings(config: config),
      includeFailed: turnOptions.includeFailed, makeRequestID: RequestID.make)
    let writer = EventWriter(fd: 1)
    let summary = await work.run {
      await loop.run(LineFeed(fd: 0, window: maxTurns, urgent: CancelRequest.isCancel), interruption: { trap.message })
      { try writer.write($0) }
    }
    await toolBox?.shutdown()
    if let why = summary.outputFailure {
      Diagnostics.error("cannot write the output: \(why)")
      throw ExitCode(ErrorKind.internal.exitCode)
    }
    if trap.signal != nil { throw ExitCode(trap.exitCode) }
  }
}

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

/// `tgpt-session [-s ID] [message…]`: one turn, or with `--messages` one turn per stdin line.
struct TurnCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "turn",
    abstract: "Send a message in a session and stream the answer as NDJSON events (the default command).",
    discussion: """
      The message is piped stdin, a blank line, then the words (see --stdin). The session's \
      history goes with it, as much as fits the context window (oldest turns dropped first; \
      failed answers left out); the message and the answer are recorded. Without -s or -c a new \
      session is made and its id printed on stderr and in the start event.

      -c continues the most recently used session: the one whose last turn started latest \
      (ties: the smallest id).

      With --messages, each stdin line is a turn: {"message":…} with optional session_id, id, \
      model and system; lines without session_id go to the -s/-c session (or one new session). \
      Turns run in order; the exit status is that of the first failed turn.

      Tools: --tool FILE, --tools NAMES (tools/NAME.json beside the config file) and --mcp \
      COMMAND (an MCP server over stdio) offer tools to the model. Its calls run (the arguments \
      as JSON on the tool's stdin, its stdout the result, shown as tool_call, tool_output and \
      tool_result events), the results go back, and the answer goes on, for up to \
      --max-tool-rounds rounds. Enabling a tool is consent; --approve ask asks on the terminal \
      and denies without one. TGPT_MCP_START_TIMEOUT: seconds an MCP server may take to start \
      (30).

      Response cache: with --cache [TTL] (or cache = "1h" in the config file) a turn whose \
      whole request equals one answered in full within the TTL is answered from the cache, \
      without a request: start and complete say "cached":true. See tgpt-session cache --help.

      Examples:
        tgpt-session --cache 1h --text "Give me one tip for writing shell scripts."
        tgpt-session -s work --cache 15m "What is 2+2?" | tgpt-render
      """
  )

  @Option(name: [.short, .long], help: ArgumentHelp("The session id (created on first use).", valueName: "id"))
  var session: String?

  @Flag(name: [.short, .customLong("continue")], help: "Continue the most recently used session.")
  var continueLast = false

  @Flag(help: "Read turns from stdin, one {\"message\":…} JSON object per line.")
  var messages = false

  @OptionGroup var turnOptions: TurnOptions

  @Option(
    help: ArgumentHelp("Where piped stdin goes: prepend (before the words), append, or ignore.", valueName: "mode"))
  var stdin: StdinMode = .prepend

  @Flag(
    help:
      "Write only the answer text, no JSON (for $(…) and cron mail), ended by a newline if it has none; errors go to stderr."
  )
  var text = false

  @Flag(help: "Write the answer text byte for byte, with no newline added (implies --text).")
  var exact = false

  @Option(help: ArgumentHelp("The request id to put on every event.", valueName: "id"))
  var id: String?

  @Option(
    name: [.customShort("a"), .customLong("attach")],
    help: ArgumentHelp(
      "Send an image (PNG, JPEG, GIF, WebP; up to 5 MiB) or a UTF-8 text file (up to 1 MiB) with the message, or an image's http(s) URL for the provider to fetch; stored with the session and sent again with later turns. Repeatable.",
      valueName: "path|url"))
  var attachments: [String] = []

  @Argument(help: ArgumentHelp("The message words.", valueName: "message"))
  var words: [String] = []

  func validate() throws {
    if session != nil && continueLast { throw ValidationError("give -s ID or -c, not both") }
    if let session, !SessionID.isValid(session) {
      throw ValidationError("invalid session id '\(session)': use \(SessionID.rule)")
    }
    if messages && !words.isEmpty { throw ValidationError("--messages reads turns from stdin; give no message words") }
    if messages && !attachments.isEmpty {
      throw ValidationError("--attach goes with one message; with --messages, put \"attachments\" on the lines")
    }
    if messages && stdin == .ignore {
      throw ValidationError("--messages needs stdin; it cannot be combined with --stdin ignore")
    }
  }

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    StderrLogHandler.bootstrap(program: "tgpt-session", level: turnOptions.logLevel)
    let output = EventOutput(textOnly: text || exact, exact: exact)
    let requestID = id ?? RequestID.make()
    let trap = SignalTrap()
    let work = WorkSlot()
    trap.install { _ in
      if !work.cancel() {
        output.reportFailure(message: trap.message, kind: .interrupted, id: requestID, sessionID: session)
        _exit(trap.exitCode)
      }
    }

    let prepared: Prepared
    do {
      prepared = try await prepare()
    } catch let error as any KindedError {
      throw ExitCode(
        output.reportFailure(message: error.description, kind: error.kind, id: requestID, sessionID: session))
    }
    do {
      try await answer(prepared, output: output, requestID: requestID, trap: trap, work: work)
    } catch {
      await prepared.tools?.shutdown()
      throw error
    }
    await prepared.tools?.shutdown()
  }

  /// Runs the turn (or, with --messages, the turns) and says how it ended by what it throws.
  private func answer(
    _ prepared: Prepared, output: EventOutput, requestID: String, trap: SignalTrap, work: WorkSlot
  ) async throws {
    let (runner, sessionID, made, message, settings, _, attached) = prepared

    if messages {
      let loop = MessageLoop(
        runner: runner, order: .sequential, defaultSession: sessionID, settings: settings,
        includeFailed: turnOptions.includeFailed, makeRequestID: RequestID.make)
      let summary = await work.run {
        await loop.run(LineFeed(fd: 0, window: 1, urgent: CancelRequest.isCancel), interruption: { trap.message }) {
          try output.write($0)
        }
      }
      output.finish()
      if let why = summary.outputFailure {
        Diagnostics.error("cannot write the output: \(why)")
        throw ExitCode(ErrorKind.internal.exitCode)
      }
      if trap.signal != nil { throw ExitCode(trap.exitCode) }
      if let kind = summary.firstFailure { throw ExitCode(kind.exitCode) }
      return
    }

    let turn = TurnRequest(
      sessionID: sessionID, requestID: requestID, message: message ?? "", settings: settings,
      includeFailed: turnOptions.includeFailed, attachments: attached)
    let announce = made
    let outcome = await work.run {
      await runner.run(turn, interruption: { trap.message }) { event in
        // A made id is worth telling only once the session exists.
        if announce, case .start = event.payload { Diagnostics.note("new session \(sessionID)") }
        try output.write(event)
      }
    }
    output.finish()
    switch outcome {
    case .completed, .outputClosed:
      return
    case .outputFailed(let why):
      Diagnostics.error("cannot write the output: \(why)")
      throw ExitCode(ErrorKind.internal.exitCode)
    case .failed(let failure):
      throw ExitCode(failure.code == .interrupted ? trap.exitCode : failure.code.exitCode)
    }
  }

  private typealias Prepared = (
    runner: TurnRunner, session: String, made: Bool, message: String?, settings: SessionSettings, tools: ToolBox?,
    attachments: [Attachment]
  )

  /// Opens the store, chooses the session, reads the message and settles the flags' settings.
  private func prepare() async throws -> Prepared {
    // libcurl loads while the config, stdin and the store are read.
    if turnOptions.providerOptions.provider != .echo { HTTPClient.warmUp() }
    let config = try ConfigFile.load(path: ConfigFile.defaultPath)
    config.warnings.forEach(Diagnostics.warning)
    let settings = try turnOptions.flagSettings(config: config)
    var message: String?
    let attached = try await Attachment.loadAll(attachments)
    if !messages {
      let piped = try await PromptComposer.readStdinIfPiped(mode: stdin)
      // Words that come with piped text are an instruction about it (`… | tgpt-session lint`).
      if piped?.isEmpty ?? true { try CommandHabits.refuseMistyped(words) }
      // Attachments alone make a message: a file or a picture may be the whole question.
      guard
        let composed = PromptComposer.compose(stdin: piped, words: words, mode: stdin) ?? (attached.isEmpty ? nil : "")
      else {
        throw ValidationError("no message: give message words, or pipe text on stdin")
      }
      message = composed
    }
    let store = try await turnOptions.storeOptions.open(config: config, access: .create)
    let sessionID: String
    if let session {
      sessionID = session
    } else if continueLast {
      guard let last = try await store.mostRecent() else {
        throw ValidationError("-c continues the most recent session, but there are no sessions yet")
      }
      sessionID = last
    } else {
      sessionID = SessionID.make()
    }
    let made = session == nil && !continueLast && !messages
    let tools = turnOptions.toolOptions
    let box = try await tools.load(config: config)
    let turnTools = box.map {
      tools.turnTools($0, defaultMode: .always, asker: tools.approve == .ask ? .onControllingTerminal() : nil)
    }
    let runner = turnOptions.makeRunner(store: store, config: config, tools: turnTools, output: 1)
    return (runner, sessionID, made, message, settings, box, attached)
  }
}

import ArgumentParser
import Logging
import TGPTCommandSupport
import TGPTEvents
import TGPTProviderOptions
import TGPTProviders
import TGPTTools

#if canImport(Glibc)
  import Glibc
#endif

@main
struct StreamCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tgpt-stream",
    abstract: "Send one chat request to an LLM provider and stream the answer as NDJSON events.",
    discussion: """
      The prompt is piped stdin, a blank line, then the words (see --stdin). Each event is one \
      JSON line, flushed as it happens: start, chunk…, then exactly one complete or error. \
      Exit codes: 0 ok, 64 usage, 65 bad request, 69 unavailable, 75 rate limited or timed out, \
      77 auth (missing or rejected key), 78 config, 130 SIGINT, 143 SIGTERM.

      Examples:
        echo "Why is the sky blue?" | tgpt-stream | tgpt-render
        git diff | tgpt-stream --text "write a commit message"
        tgpt-stream "list 3 colours" | jq -rj 'select(.type=="chunk").content'
        tgpt-stream --provider echo "try my pipeline offline"
        tgpt-stream -a photo.png "what is in this picture?"
        tgpt-stream --models --provider openai
        tgpt-stream --tool clock.json "what time is it?" | jq -c 'select(.type=="tool_call")'
        tgpt-stream help          # this help (tgpt-stream -- help sends the word)
      """,
    version: "tgpt-stream \(ToolkitVersion.string)"
  )

  static func main() async { await runMain(program: "tgpt-stream") }

  @OptionGroup var providerOptions: ProviderOptions

  @Option(help: ArgumentHelp("The system prompt.", valueName: "text"))
  var system: String?

  // `-s` is the session flag everywhere else (tgpt-session, tgpt-ws-bridge); taken here only
  // to say so, instead of reading "-s work" as something else.
  @Flag(name: .customShort("s"), help: ArgumentHelp("Not an option of tgpt-stream.", visibility: .private))
  var sessionFlag = false

  @OptionGroup var generation: GenerationOptions
  @OptionGroup var transport: TransportOptions

  @Option(
    help: ArgumentHelp("Where piped stdin goes: prepend (before the words), append, or ignore.", valueName: "mode"))
  var stdin: StdinMode = .prepend

  @Flag(help: "Read a whole request, {\"messages\":[…],\"model\":…}, from stdin instead of a prompt.")
  var request = false

  @Flag(
    help:
      "Write only the answer text, no JSON (for $(…) and cron mail), ended by a newline if it has none; errors go to stderr."
  )
  var text = false

  @Flag(help: "Write the answer text byte for byte, with no newline added (implies --text).")
  var exact = false

  @Option(
    name: .customLong("tool"),
    help: ArgumentHelp(
      "Offer the tool defined in this JSON file; calls come out as tool_call events and nothing runs (tgpt-session runs tools). Repeatable.",
      valueName: "file"))
  var toolFiles: [String] = []

  @Option(
    name: [.customShort("a"), .customLong("attach")],
    help: ArgumentHelp(
      "Send an image (PNG, JPEG, GIF, WebP; up to 5 MiB) or a UTF-8 text file (up to 1 MiB) with the prompt, or an image's http(s) URL for the provider to fetch. Repeatable.",
      valueName: "path|url"))
  var attachments: [String] = []

  @Flag(help: "List the provider's models, one id per line, instead of sending a prompt.")
  var models = false

  @Flag(help: "With --models: the provider's model objects, one JSON object per line.")
  var json = false

  @Option(help: ArgumentHelp("The request id to put on every event.", valueName: "id"))
  var id: String?

  @Option(
    help: ArgumentHelp(
      "Log level on stderr: trace, debug, info, notice, warning, error. Env: TGPT_LOG.", valueName: "level"))
  var logLevel: Logger.Level?

  @Argument(help: ArgumentHelp("The prompt words.", valueName: "prompt"))
  var words: [String] = []

  func validate() throws {
    if sessionFlag {
      throw ValidationError(
        "-s is the session flag of tgpt-session (tgpt-stream keeps no sessions); the system prompt is --system TEXT")
    }
    // The man page lists `help` as a subcommand, as ArgumentParser writes it; `--` sends the word.
    if words == ["help"], !request, !models, !CommandLine.arguments.dropFirst().contains("--") {
      throw CleanExit.helpRequest(self)
    }
    if models && (request || !words.isEmpty) {
      throw ValidationError("--models lists the provider's models; give no prompt words and no --request")
    }
    if json && !models { throw ValidationError("--json goes with --models (the events are JSON already)") }
    if request && !words.isEmpty {
      throw ValidationError("--request reads the whole request from stdin; give no prompt words")
    }
    if request && !attachments.isEmpty {
      throw ValidationError("--attach goes with a prompt; with --request, put content parts in the request's messages")
    }
    if models && !attachments.isEmpty { throw ValidationError("--attach goes with a prompt, not with --models") }
    if request && stdin == .ignore {
      throw ValidationError("--request needs stdin; it cannot be combined with --stdin ignore")
    }
  }

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    StderrLogHandler.bootstrap(program: "tgpt-stream", level: logLevel)
    if models { return try await listModels() }
    let output = EventOutput(textOnly: text || exact, exact: exact)
    let requestID = id ?? RequestID.make()

    // Signals are caught from the start: one that arrives while stdin or the key command is
    // still being read ends the turn with its `error` event too.
    let trap = SignalTrap()
    let work = WorkSlot()
    trap.install { _ in
      if !work.cancel() {
        output.reportFailure(message: trap.message, kind: .interrupted, id: requestID)
        _exit(trap.exitCode)
      }
    }

    let runner: CompletionRunner
    let chat: ChatRequest
    do {
      if providerOptions.provider != .echo { HTTPClient.warmUp() }
      let config = try ConfigFile.load(path: ConfigFile.defaultPath)
      config.warnings.forEach(Diagnostics.warning)
      let resolved = try ResolvedProvider(
        provider: providerOptions, transport: transport, generation: generation, config: config)
      chat = try await buildRequest(resolved)
      runner = CompletionRunner(
        provider: try await resolved.provider(logger: Logger(label: "tgpt.providers")), retry: resolved.retry,
        limits: resolved.limits)
    } catch let error as ProviderError {
      throw ExitCode(output.reportFailure(message: error.description, kind: error.kind, id: requestID))
    } catch let error as ProtocolError {
      throw ExitCode(output.reportFailure(message: error.description, kind: error.kind, id: requestID))
    }

    let outcome = await work.run {
      await runner.run(chat, id: requestID, interruption: { trap.message }) { event in try output.write(event) }
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

  /// The request from stdin (`--request`) or from the prompt, with flags applied.
  private func buildRequest(_ resolved: ResolvedProvider) async throws -> ChatRequest {
    var chat: ChatRequest
    if request {
      guard FileIO.isPipeOrFile(0) else {
        throw ProviderError.config("--request reads the request from stdin, but stdin is not a pipe or a file")
      }
      chat = try ChatRequest(json: JSON.parse(await FileIO.readAllWaiting(0)))
    } else {
      let piped = try await PromptComposer.readStdinIfPiped(mode: stdin)
      let attached: [Attachment]
      do throws(AttachmentError) {
        attached = try await Attachment.loadAll(attachments)
      } catch {
        throw ProtocolError.badEvent(error.description)
      }
      // Attachments alone make a message: a file or a picture may be the whole question.
      guard
        let prompt = PromptComposer.compose(stdin: piped, words: words, mode: stdin) ?? (attached.isEmpty ? nil : "")
      else {
        throw ValidationError("no prompt: give prompt words, or pipe text on stdin")
      }
      chat = ChatRequest(messages: [ChatRequest.userMessage(prompt, attachments: attached)])
    }
    if providerOptions.model != nil || chat.model == nil { chat.model = resolved.model }
    chat.system = system ?? chat.system ?? resolved.system
    chat.temperature = generation.temperature ?? chat.temperature ?? resolved.temperature
    chat.maxTokens = generation.maxTokens ?? chat.maxTokens ?? resolved.maxTokens
    for member in resolved.extra { chat.extra[member.key] = member.value }
    if !toolFiles.isEmpty, chat.extra["tools"] != nil {
      throw ValidationError("the request has \"tools\" of its own; give tools there or with --tool, not both")
    }
    do {
      chat.tools += try toolFiles.map { path throws(ToolError) in try ExecutableTool.load(path: path).spec }
    } catch {
      throw ProviderError.config(error.description)
    }
    return chat
  }
}

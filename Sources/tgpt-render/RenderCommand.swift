import ArgumentParser
import TGPTCommandSupport
import TGPTEvents
import TGPTRender

#if canImport(Glibc)
  import Glibc
#endif

enum ColorChoice: String, CaseIterable, ExpressibleByArgument { case auto, always, never }
enum InputKind: String, CaseIterable, ExpressibleByArgument { case auto, events, text }
enum PassthroughTarget: String, CaseIterable, ExpressibleByArgument { case tty, stderr }
extension RenderOptions.Reasoning: ExpressibleByArgument {}
extension RenderOptions.Tools: ExpressibleByArgument {}

@main
struct RenderCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tgpt-render",
    abstract: "Show an event stream as it arrives: Markdown in a terminal, the exact answer text in a pipe.",
    discussion: """
      Reads NDJSON events (tgpt-stream, tgpt-session, tgpt-ws-bridge) on stdin, or plain text: \
      with --input auto, input is events when its first line is a JSON object with a string \
      "type" member, and otherwise Markdown text (tgpt-stream --text, a file, other JSON). On a terminal \
      the answer is rendered as Markdown while it streams: finished lines are written once, only \
      the last line is redrawn, scrollback stays clean. Into a pipe or file, or with --plain or \
      NO_COLOR, the output is exactly the answer text, and each answer ends its line (a newline \
      is added after one that does not end with one, so answers appended to a file stay apart; \
      --exact adds none). Text input into a pipe is passed through byte for byte. \
      Reasoning is shown dim; retries and tool calls are status lines on stderr: a line per \
      call (its name and arguments, shortened to the width) and one per result (✓, or ✗ and \
      "failed", the exit status when not 0, the time, the start of the output); --tools show \
      adds each tool's output as it arrives, dim, each line after the tool's name. Errors go to \
      stderr and set the exit code (65 bad input, 69 unavailable, 75 rate limited or timed out, \
      77 auth, 130 interrupted); a failed tool is not an error: the answer goes on.

      Voice: --sentences writes the answer as sentences, one a line, each as soon as it is \
      complete (when the first letter of the next one arrives), as plain text for speech: \
      Markdown removed, links as their text, fenced code blocks skipped. --speak runs a speech \
      command per sentence, in order, while the stream goes on (espeak-ng when none is named; \
      the sentence is its last argument, or replaces {}, and {n} is its number); the \
      rendering still goes to stdout, unless --sentences. At the end of the input it waits \
      until the last sentence has been spoken; Ctrl-C stops the voice at once.

      Examples:
        echo "Why is the sky blue?" | tgpt-stream | tgpt-render
        tgpt-session -s work "summarise" < notes.md | tgpt-render --stats
        tgpt-session -s work "what changed?" | tgpt-render --tools show
        cat README.md | tgpt-render --input text
        tgpt-stream "hi" | tgpt-render --passthrough | jq -c .
        tgpt-stream "Why is the sky blue?" | tgpt-render --sentences
        tgpt-stream "tell me a story" | tgpt-render --speak
        tgpt-stream "tell me a story" | tgpt-render --speak 'espeak-ng -w story-{n}.wav'
      """,
    version: "tgpt-render \(ToolkitVersion.string)"
  )

  static func main() { runMain(program: "tgpt-render", optionalValues: [OptionalValue("--speak")]) }

  @Option(
    help: ArgumentHelp(
      "What stdin holds: events (NDJSON), text (Markdown), or auto: events when its first line is a JSON object with a string \"type\".",
      valueName: "kind"))
  var input: InputKind = .auto

  @Flag(help: "Write exactly the answer text, without styling, even on a terminal.")
  var plain = false

  @Flag(help: "Plain output byte for byte: no newline added after an answer that does not end with one.")
  var exact = false

  @Option(help: ArgumentHelp("Style the output: auto (on a terminal), always, never.", valueName: "when"))
  var color: ColorChoice = .auto

  @Option(
    help: ArgumentHelp("Wrap to this many columns (default: the terminal's, else COLUMNS, else 80).", valueName: "n"))
  var width: Int?

  @Option(help: ArgumentHelp("Reasoning text: show, dim, or hide.", valueName: "how"))
  var reasoning: RenderOptions.Reasoning = .dim

  @Option(
    help: ArgumentHelp(
      "Tool activity on stderr: hide, status (a line per call and per result), or show (also the tools' output).",
      valueName: "how"))
  var tools: RenderOptions.Tools = .status

  @Flag(help: "After each answer, print model, tokens, time to first token, total time and tokens/s on stderr.")
  var stats = false

  @Flag(help: "Copy the input events unchanged to stdout and render to the terminal (see --to), like tee.")
  var passthrough = false

  @Option(help: ArgumentHelp("Where --passthrough renders: tty (/dev/tty) or stderr.", valueName: "target"))
  var to: PassthroughTarget = .tty

  @Flag(help: "Stop at the first malformed input line (exit 65) instead of warning and going on.")
  var strict = false

  @Flag(
    help:
      "Write the answer as sentences for speech, one a line, each as soon as it is complete: plain text, Markdown removed, code blocks skipped."
  )
  var sentences = false

  @Option(
    help: ArgumentHelp(
      "Speak each sentence with this command while the stream goes on, one after another (--speak alone: espeak-ng). The sentence is its last argument, or replaces {}; {n} is its number. Split like shell words, run without a shell.",
      valueName: "command"))
  var speak: String?

  func validate() throws {
    if let width, width < 8 { throw ValidationError("--width must be at least 8") }
    if input == .text && passthrough {
      throw ValidationError("--passthrough copies events; it cannot be used with --input text")
    }
    if sentences && passthrough {
      throw ValidationError("--sentences writes sentences to stdout; it cannot be used with --passthrough")
    }
    if let speak, speak != OptionalValue.omitted {
      let words: [String]
      do throws(ShellWords.Failure) {
        words = try ShellWords.split(speak)
      } catch {
        throw ValidationError("--speak: \(error.description)")
      }
      if words.isEmpty { throw ValidationError("--speak needs a command") }
    }
  }

  func run() throws {
    SignalTrap.ignoreSIGPIPE()
    var displayFD: Int32 = 1
    if passthrough {
      displayFD = to == .tty ? open("/dev/tty", O_WRONLY | O_CLOEXEC) : 2
      if displayFD < 0 {
        Diagnostics.warning("cannot open /dev/tty; rendering to stderr")
        displayFD = 2
      }
    }
    var options = decideOptions(displayFD: displayFD)
    // With --sentences the rendering is not written: the cheapest kind is made.
    if sentences { options.output = .plain(terminal: false) }
    let speech = try speak.map { SpeechQueue(command: try SpeechCommand.words($0)) }
    // --passthrough copies events: its input is events.
    let loop = RenderLoop(
      options: options, displayFD: displayFD, passthrough: passthrough, strict: strict,
      input: passthrough ? .events : input, widthIsFixed: width != nil, sentences: sentences, speech: speech)
    let code = loop.run()
    // At the end of the input, what was said is spoken to its end (a signal stops it).
    speech?.finish()
    throw ExitCode(code)
  }

  /// TTY, colour and width are decided here, at the edge, and passed down.
  private func decideOptions(displayFD: Int32) -> RenderOptions {
    let terminal = FileIO.isTerminal(displayFD)
    let noColor = ProcessEnvironment.value("NO_COLOR") != nil
    let dumb = ProcessEnvironment.value("TERM") == "dumb"
    let styled: Bool
    switch color {
    case .always: styled = !plain
    case .never: styled = false
    case .auto: styled = !plain && terminal && !noColor && !dumb
    }
    let columns = width ?? TerminalSize.columns(fd: displayFD)
    let stderrTerminal = FileIO.isTerminal(2)
    var options = RenderOptions(
      output: styled ? .styled(live: terminal && !dumb) : .plain(terminal: terminal),
      width: columns,
      reasoning: reasoning,
      hyperlinks: styled && terminal && ProcessEnvironment.value("TERM") != "linux",
      stderrStyled: stderrTerminal && !noColor && !dumb && color != .never,
      stats: stats)
    options.messagesShareOutput = FileIO.sameFile(displayFD, 2)
    options.exact = exact
    options.tools = tools
    return options
  }
}

import ArgumentParser
import TGPTChat
import TGPTCommandSupport
import TGPTEvents
import TGPTOrchestrator
import TGPTProviderOptions
import TGPTSession

#if canImport(Glibc)
  import Glibc
#endif

/// `tgpt-session chat`: the interactive terminal client.
struct InteractiveChatCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chat",
    abstract: "Chat in the terminal: a prompt with line editing and history, answers rendered as they stream.",
    discussion: """
      Type a message and press Enter; end a line with \\ to continue it on the next (a paste is \
      taken whole). Commands: /help, /clear, /session <id>, /new [id], /history, /sessions, \
      /model <name>, /system [text], /retry, /copy, /quit (or /exit, Ctrl-D, Ctrl-C twice). \
      Ctrl-C during an answer stops it (stored as interrupted) and returns to the prompt. \
      Input history is kept in chat_history in the data directory. Needs a terminal: for \
      scripts use `tgpt-session -s ID "message"` or `tgpt-session serve`.

      Examples:
        tgpt-session chat -s work
        tgpt-session chat --provider echo
      """
  )

  @Option(name: [.short, .long], help: ArgumentHelp("The session (default: a new one).", valueName: "id"))
  var session: String?

  @OptionGroup var turnOptions: TurnOptions

  func validate() throws {
    if let session { try validateSessionID(session) }
  }

  func run() async throws {
    guard FileIO.isTerminal(0), FileIO.isTerminal(1) else {
      throw ValidationError(
        "chat needs a terminal on stdin and stdout; in scripts use `tgpt-session -s ID \"message\"` or `tgpt-session serve`"
      )
    }
    SignalTrap.ignoreSIGPIPE()
    StderrLogHandler.bootstrap(program: "tgpt-session", level: turnOptions.logLevel)
    let config = try ConfigFile.load(path: ConfigFile.defaultPath)
    config.warnings.forEach(Diagnostics.warning)
    let store = try turnOptions.storeOptions.open(config: config)
    let chat = ChatLoop(
      store: store, runner: turnOptions.makeRunner(store: store, config: config), session: session ?? SessionID.make(),
      settings: turnOptions.flagSettings, includeFailed: turnOptions.includeFailed,
      history: (StoreOptions.dataDirectory ?? ".") + "/chat_history")
    await chat.run()
  }
}

import ArgumentParser
import Logging
import TGPTBridgeClient
import TGPTChat
import TGPTCommandSupport
import TGPTEvents
import TGPTOrchestrator
import TGPTProviderOptions
import TGPTSession
import TGPTTools

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
      taken whole). Commands: /help, /clear, /session <id>, /new [id], /history, /sessions \
      [all], /model [name], /system [text | --clear] (without an argument these two show what \
      is in use), /retry (its answer replaces the last one), /copy, /quit (or /exit, Ctrl-D, \
      Ctrl-C at an empty prompt). \
      Ctrl-C during an answer stops it (stored as interrupted) and returns to the prompt. \
      Input history is kept in chat_history in the data directory. Needs a terminal: for \
      scripts use `tgpt-session -s ID "message"` or `tgpt-session serve`.

      With --api-url the chat goes through a `tgpt-ws-bridge serve` server, which keeps the \
      sessions and runs the provider: each message is sent on /ws/chat/{session} with its \
      --model and --system (--header, --cacert, --insecure, --connect-timeout, --idle-timeout \
      and --retries apply to the server; the other provider options are the server's). \
      /history is asked of the server; /sessions lists only the local store. A message whose \
      connection fails before its answer starts is sent again (--retries, default 5; backoff \
      from 0.5 s); Ctrl-C sends the server a cancel. An answer with no frame from the server \
      for --idle-timeout seconds (default 120), or a frame that is not an event, ends in an \
      error and is not sent again.

      Examples:
        tgpt-session chat -s work
        tgpt-session chat --provider echo
        tgpt-session chat --api-url ws://127.0.0.1:8000 -s work
      """
  )

  @Option(name: [.short, .long], help: ArgumentHelp("The session (default: a new one).", valueName: "id"))
  var session: String?

  @OptionGroup(title: "Remote chat") var remote: RemoteChatOptions

  @OptionGroup var turnOptions: TurnOptions

  func validate() throws {
    if let session { try validateSessionID(session) }
    if remote.apiURL != nil {
      let unused = turnOptions.providerSideOptions
      if !unused.isEmpty {
        throw ValidationError(
          "\(unused.joined(separator: ", ")): the server's choice with --api-url (only --model and --system travel with a message)"
        )
      }
      for line in turnOptions.providerOptions.headers where ClientSettings.header(line) == nil {
        throw ValidationError("--header '\(line)' needs 'Name: value'")
      }
    }
  }

  func run() async throws {
    guard FileIO.isTerminal(0), FileIO.isTerminal(1) else {
      throw ValidationError(
        "chat needs a terminal on stdin and stdout; in scripts use `tgpt-session -s ID \"message\"` or `tgpt-session serve`"
      )
    }
    SignalTrap.ignoreSIGPIPE()
    StderrLogHandler.bootstrap(program: "tgpt-session", level: turnOptions.logLevel)
    let history = (StoreOptions.dataDirectory ?? ".") + "/chat_history"
    let backend: any ChatBackend
    var toolBox: ToolBox?
    var session = session
    // Remote: the server's provider settings; only --model and --system travel.
    var settings = try turnOptions.flagSettings(config: nil)
    if let url = remote.apiURL {
      let remoteChat = remote.client(url: url, options: turnOptions)
      let chosen = session ?? remoteChat.address.session ?? SessionIDRule.makeUnguessable()
      session = chosen
      // An absent server is told now, not after the first message is typed.
      try await remoteChat.check(session: chosen)
      backend = RemoteChatBackend(remote: remoteChat)
    } else {
      let config = try ConfigFile.load(path: ConfigFile.defaultPath)
      config.warnings.forEach(Diagnostics.warning)
      let store = try await turnOptions.storeOptions.open(config: config, access: .create)
      let options = turnOptions
      toolBox = try await turnOptions.toolOptions.load(config: config)
      // The question goes where the answers go (the chat's stdout is its terminal), so `chat
      // 2>log` cannot hide a question the chat is waiting on.
      let tools = toolBox.map {
        turnOptions.toolOptions.turnTools(
          $0, defaultMode: .ask, asker: TerminalApprover(input: 0, output: 1, beforeAsking: ChatDisplay.pauseCurrent))
      }
      backend = LocalChat(
        localStore: store, runner: turnOptions.makeRunner(store: store, config: config, tools: tools),
        describe: { options.described($0, config: config) })
      settings = try turnOptions.flagSettings(config: config)
    }
    let chat = ChatLoop(
      backend: backend, session: session ?? SessionID.make(), settings: settings,
      includeFailed: turnOptions.includeFailed, history: history)
    await chat.run()
    await toolBox?.shutdown()
  }
}

/// Where a remote chat connects, and how.
struct RemoteChatOptions: ParsableArguments {
  @Option(
    name: .customLong("api-url"),
    help: ArgumentHelp(
      "Chat through a tgpt-ws-bridge server: ws://host:port (or wss://), its chat URL, or a prefix it is served under.",
      valueName: "url"))
  var apiURL: String?

  @Option(help: ArgumentHelp("Bearer token for the server. Env: TGPT_WS_TOKEN.", valueName: "token"))
  var token: String?

  func validate() throws {
    guard let apiURL else { return }
    guard ["ws://", "wss://", "http://", "https://"].contains(where: apiURL.hasPrefix) else {
      throw ValidationError("--api-url must start with ws://, wss://, http:// or https://")
    }
    if let session = ChatAddress(apiURL).session { try validateSessionID(session) }
  }

  /// The client. The provider's `--header`, `--cacert`, `--insecure`, `--connect-timeout`,
  /// `--idle-timeout` and `--retries` mean the same for the server.
  func client(url: String, options: TurnOptions) -> RemoteChat {
    var settings = ClientSettings(url: url)
    settings.token = token ?? ProcessEnvironment.value("TGPT_WS_TOKEN")
    settings.headers = options.providerOptions.headers.compactMap(ClientSettings.header)
    settings.caCertificate = options.providerOptions.cacert
    settings.insecure = options.providerOptions.insecure
    if let seconds = options.transport.connectTimeout { settings.connectTimeout = .milliseconds(Int(seconds * 1000)) }
    if let seconds = options.transport.idleTimeout { settings.idleTimeout = .milliseconds(Int(seconds * 1000)) }
    var remote = RemoteChat(address: ChatAddress(url), settings: settings, logger: Logger(label: "tgpt-session.chat"))
    if let retries = options.transport.retries { remote.retries = retries }
    return remote
  }
}

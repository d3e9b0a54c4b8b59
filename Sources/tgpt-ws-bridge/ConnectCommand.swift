import ArgumentParser
import Logging
import TGPTBridgeClient
import TGPTCommandSupport
import TGPTEvents

/// `tgpt-ws-bridge [connect] URL`: stdin lines out as messages, frames in as stdout lines.
struct ConnectCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "connect",
    abstract: "Send stdin lines as messages to a WebSocket; print each frame received as a line.",
    discussion: """
      Each stdin line is one message: a JSON object is sent as it is, any other line as \
      {"message": line} (--raw sends lines untouched). Messages get an id (m1, m2, …) unless \
      they carry one. Each frame received is printed as one line, flushed. At the end of stdin \
      the client keeps reading until every message has had its complete or error event, then \
      closes with 1000 — so `echo hi | tgpt-ws-bridge URL | tgpt-render` shows the whole answer. \
      A frame that is not a JSON event (binary, not JSON, not UTF-8, over --max-message-bytes) \
      ends the connection, and so do --idle-timeout seconds without a frame while answers are \
      owed: each answer still owed gets an error event, so every message ends in exactly one \
      complete or error. \
      Exit: 0, or the code of the first error event (a wrong token: 77); 69 when the server \
      cannot be reached, refuses the upgrade (77 for HTTP 401/403), fails TLS, sends a frame \
      that is not an event or closes with answers owed; 75 on a connect or idle timeout; 0 \
      when the reader of stdout goes away.

      The URL may be the server's base (ws://127.0.0.1:8000, or the http:// address \
      tgpt-ws-bridge serve prints): messages go to /ws/chat/ID for --session ID, or for a new \
      session whose id is printed on stderr as 'tgpt-ws-bridge: session: ID'. A whole \
      /ws/chat/ID URL is used as it is, and so is any other path (a WebSocket endpoint of \
      another server) unless --session is given, which makes it the prefix the chat server is \
      mounted under.

      Examples:
        echo "Why is the sky blue?" | tgpt-ws-bridge ws://127.0.0.1:8000 -s work | tgpt-render
        echo "and at sunset?" | tgpt-ws-bridge ws://127.0.0.1:8000/ws/chat/work | tgpt-render
        tgpt-ws-bridge --session work 'ws://chat.example/ws/chat/{session_id}' < questions.txt
      """
  )

  @Argument(
    help: ArgumentHelp(
      "The server's base URL, a whole /ws/chat/ID URL, or a template with {session_id} (ws://, wss://, http://, https://).",
      valueName: "url"))
  var url: String

  @Option(
    name: [.customShort("s"), .long],
    help: ArgumentHelp(
      "The session, with a base URL or a template (without it a new one is made and printed on stderr).",
      valueName: "id"))
  var session: String?

  @Option(
    name: [.customShort("H"), .long],
    help: ArgumentHelp("A request header, 'Name: value' (repeatable).", valueName: "header"))
  var header: [String] = []

  @Option(help: ArgumentHelp("Bearer token for the Authorization header. Env: TGPT_WS_TOKEN.", valueName: "token"))
  var token: String?

  @Option(
    help: ArgumentHelp("PEM file of CA certificates to trust for wss:// instead of the system's.", valueName: "file"))
  var cacert: String?

  @Flag(help: "Do not verify the server's TLS certificate.")
  var insecure = false

  @Option(help: ArgumentHelp("Send a ping every SEC seconds; a missed pong ends the connection.", valueName: "sec"))
  var pingInterval: Double?

  @Option(help: ArgumentHelp("Give up connecting after SEC seconds.", valueName: "sec"))
  var connectTimeout: Double = 10

  @Option(
    help: ArgumentHelp("Reconnect up to N times, with backoff, when the connection fails or drops.", valueName: "n"))
  var reconnect = 0

  @Option(
    help: ArgumentHelp(
      "After stdin ends, stop after SEC seconds without a frame even if answers are owed (for servers that do not send complete/error).",
      valueName: "sec"))
  var linger: Double?

  @Option(
    help: ArgumentHelp(
      "Fail after SEC seconds without a frame while answers are owed: an error event (timeout) for each, exit 75 (0: never).",
      valueName: "sec"))
  var idleTimeout: Double = 120

  @Flag(help: "Send stdin lines untouched (no {\"message\": …} wrapping, no ids).")
  var raw = false

  @Option(
    help: ArgumentHelp("The largest message accepted from the server, in bytes.", valueName: "bytes"))
  var maxMessageBytes = 16 << 20

  @Option(
    help: ArgumentHelp(
      "Log level on stderr: trace, debug, info, notice, warning, error. Env: TGPT_LOG.", valueName: "level"))
  var logLevel: Logger.Level?

  func validate() throws {
    if let session, !SessionIDRule.isValid(session) {
      throw ValidationError("invalid session id '\(session)': use \(SessionIDRule.text)")
    }
    do throws(ConnectTarget.Mistake) {
      _ = try ConnectTarget(url, session: session) { "new" }
    } catch {
      throw ValidationError(error.description)
    }
    if reconnect < 0 { throw ValidationError("--reconnect must be 0 or more") }
    if !(idleTimeout >= 0 && idleTimeout < 1e9) {
      throw ValidationError("--idle-timeout must be 0 (never) or a positive number of seconds")
    }
    if maxMessageBytes < 1024 { throw ValidationError("--max-message-bytes must be at least 1024") }
    for line in header where ClientSettings.header(line) == nil {
      throw ValidationError("--header '\(line)' needs 'Name: value'")
    }
  }

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    StderrLogHandler.bootstrap(program: "tgpt-ws-bridge", level: logLevel ?? .warning)
    let target = try ConnectTarget(url, session: session)
    // One line of its own, so a script can read the id: `2> >(sed -n 's/^tgpt-ws-bridge: session: //p')`.
    if let made = target.madeSession { Diagnostics.write("tgpt-ws-bridge: session: \(made)\n") }
    var settings = ClientSettings(url: target.url)
    settings.headers = header.compactMap(ClientSettings.header)
    settings.token = token ?? ProcessEnvironment.value("TGPT_WS_TOKEN")
    settings.caCertificate = cacert
    settings.insecure = insecure
    settings.pingInterval = try pingInterval.map { try duration($0, "--ping-interval") }
    settings.connectTimeout = try duration(connectTimeout, "--connect-timeout")
    settings.reconnect = reconnect
    settings.linger = try linger.map { try duration($0, "--linger") }
    settings.idleTimeout = idleTimeout == 0 ? nil : try duration(idleTimeout, "--idle-timeout")
    settings.raw = raw
    settings.maxMessageBytes = maxMessageBytes
    let client = BridgeClient(settings: settings, logger: Logger(label: "tgpt.ws-bridge"))
    if let failed = try await client.run(input: LineFeed(fd: 0, window: 64)) {
      // The error event went to stdout, for programs; a person reading stderr needs it too.
      if failed.refusedConnection {
        reportRefusedToken(
          at: ChatAddress(target.url).displayed, failed.message, tokenGiven: settings.token != nil)
      } else if failed.kind == .auth {
        Diagnostics.error("the server could not answer: \(failed.message)")
      }
      throw ExitCode(failed.kind.exitCode)
    }
  }
}

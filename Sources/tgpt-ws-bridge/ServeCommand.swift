import ArgumentParser
import Logging
import TGPTBridge
import TGPTBridgeServer
import TGPTCommandSupport
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// `tgpt-ws-bridge serve`: the seed's WebSocket endpoint, relaying to one chat program.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve /ws/chat/{session_id} (and POST /chat/{session_id}) by relaying to tgpt-session serve.",
    discussion: """
      Each text frame {"message":…} is tagged with the path's session id and a request id and \
      written to one child program — tgpt-session serve, found beside this binary, or the \
      NDJSON-speaking COMMAND after --. The child inherits this environment (provider, model, \
      store). Its events are routed back to the connection that asked, each as one text \
      frame, with the client's own id. Sessions run at once; history is the child's, so a \
      session continues across connections.

      Principals: with --tokens FILE each line names a principal and the SHA-256 of its token \
      (tgpt-ws-bridge token NAME makes both). A client is the principal of the token it \
      presents, and its session ids are its own: alice's work and bob's work are different \
      sessions, and nobody reaches another principal's sessions, history or turns. Each \
      principal has quotas (--principal-in-flight, --principal-rate, --principal-sessions); \
      past one, a request gets an error event with code rate_limited (HTTP 429), a connection \
      an error event and a close with 1013. The single --token is one principal, the chat \
      program's own (the one local commands use). GET /healthz and /metrics answer loopback \
      and valid tokens only.

      Also: POST /chat/{session_id} with {"message":…} → the whole answer as JSON (content, \
      model, usage, processing_time_ms); POST /chat/{session_id}/stream → the events as SSE \
      (curl -N); GET /healthz; GET /metrics (Prometheus, tgpt_*).

      Web client: GET / serves a chat page (HTML, CSS and JavaScript built into this binary, \
      under a strict Content-Security-Policy) that talks over /ws/chat/{session_id}: answers \
      stream as rendered Markdown, with the principal's sessions listed, a stop button, and \
      reconnection. The page itself needs no token; it asks for one when the server wants it \
      (or takes ?token= once, keeping it in the browser's storage). Pages of the server's own \
      origin may connect (without a token, only at an address such as 127.0.0.1:8000, not a \
      name, and no other page may); --allow-origin names others. The page attaches images and \
      text files, resizing photos, and learns --max-message-bytes from GET /config.json (raise \
      it for photos, e.g. 8388608). --no-web turns the page off.

      Bad input never closes a connection: invalid JSON, a missing or empty message, a binary \
      frame, a message over --max-message-bytes, or more than --rate messages per second from \
      one client address (over all its connections and POST requests; clients behind one proxy \
      share it) or --token-rate from all holders of the token each get one error event. An invalid session id, a foreign Origin (--allow-origin), or a draining \
      server refuse the upgrade (HTTP 400); past --max-connections a connection is closed \
      with 1013. A wrong or missing token (--token / TGPT_SERVER_TOKEN; Authorization: Bearer, \
      or ?token= for browsers) gets an error event with code auth in answer to its first \
      message, and a close with 1008; HTTP routes answer 401. A frame over max(1 MiB, 2 × \
      --max-message-bytes) closes with 1009; a broken frame sequence with 1002, a text message \
      that is not UTF-8 with 1007.

      A connection must send its request head within --header-timeout; those that have not yet \
      are capped (the oldest is closed for a new one), and all connections together stay below \
      the open-file limit, so idle sockets cannot lock clients out. A client that reads its \
      events is never dropped, however fast they come; one that takes none for --stall-timeout \
      while they wait, or lets --queue-bytes pile up, is closed (1008). A client frame without a \
      mask closes with 1002. A connection that closes \
      cancels its turns: those not started never run, the running one ends interrupted. The \
      child crashing fails its turns in flight with code unavailable (partial when chunks were \
      sent) and is restarted with backoff; GET /healthz answers 503 until it is back. SIGTERM \
      or SIGINT: stop accepting, let turns in flight finish (--drain-timeout), then interrupt \
      the rest (each gets an interrupted error; the child stores what was answered), close with \
      1001, exit 0. Once listening, the server's base URL is printed on stdout.

      Examples:
        tgpt-ws-bridge serve --port 8000
        TGPT_SERVER_TOKEN=secret tgpt-ws-bridge serve --host 0.0.0.0 --tls-cert c.pem --tls-key k.pem
        tgpt-ws-bridge serve --port 0 -- tgpt-session serve --provider echo
        tgpt-ws-bridge serve --host 0.0.0.0 --tokens /etc/tgpt/tokens --tls-cert c.pem --tls-key k.pem
      """
  )

  @Option(help: ArgumentHelp("Address to listen on.", valueName: "host"))
  var host = "127.0.0.1"

  @Option(help: ArgumentHelp("Port to listen on; 0 picks a free one.", valueName: "port"))
  var port = 8000

  @Option(help: ArgumentHelp("Bearer token clients must present. Env: TGPT_SERVER_TOKEN.", valueName: "token"))
  var token: String?

  @Option(
    help: ArgumentHelp(
      "Principals and their tokens: lines of PRINCIPAL SHA256HEX (see tgpt-ws-bridge token); re-read on SIGHUP. Each principal sees only its own sessions. Env: TGPT_SERVER_TOKENS.",
      valueName: "file"))
  var tokens: String?

  @Option(
    help: ArgumentHelp(
      "With --tokens: requests (turns, history, deletes) one principal may have in flight at once (default 32); 0 for no limit.",
      valueName: "n"))
  var principalInFlight: Int?

  @Option(
    help: ArgumentHelp("With --tokens: requests a minute per principal (default 600); 0 for no limit.", valueName: "n"))
  var principalRate: Double?

  @Option(
    help: ArgumentHelp(
      "With --tokens: sessions one principal may have open at once (connections or requests; default 64); 0 for no limit.",
      valueName: "n"))
  var principalSessions: Int?

  @Flag(help: "Listen beyond loopback without a token.")
  var noAuth = false

  @Option(help: ArgumentHelp("PEM certificate chain for wss:// and https://.", valueName: "file"))
  var tlsCert: String?

  @Option(help: ArgumentHelp("PEM private key for --tls-cert.", valueName: "file"))
  var tlsKey: String?

  @Option(
    help: ArgumentHelp(
      "A page (Origin) browsers may connect from, e.g. https://app.example (repeatable). Default: any page with a token on a server that has one; on a server without, only its own web client, at an address such as 127.0.0.1:8000.",
      valueName: "origin"))
  var allowOrigin: [String] = []

  @Flag(help: "Do not serve the web client at / (the page, its script and styles).")
  var noWeb = false

  @Option(help: ArgumentHelp("The largest message accepted, in bytes.", valueName: "bytes"))
  var maxMessageBytes = 64 << 10

  @Option(
    help: ArgumentHelp(
      "The most WebSocket connections at once (default 10000, or what the open-file limit allows).", valueName: "n"))
  var maxConnections: Int?

  @Option(
    help: ArgumentHelp(
      "Messages per second per client address, over all its connections; 0 for no limit (bursts of up to 100).",
      valueName: "n"))
  var rate: Double = 20

  @Option(
    help: ArgumentHelp(
      "Messages per second for all clients presenting the token together; 0 for no limit.",
      valueName: "n"))
  var tokenRate: Double = 0

  @Option(help: ArgumentHelp("Close a connection idle this many seconds.", valueName: "sec"))
  var idleTimeout: Double = 600

  @Option(
    help: ArgumentHelp("Ping every SEC seconds; a missed pong closes the connection.", valueName: "sec"))
  var pingInterval: Double = 30

  @Option(help: ArgumentHelp("On SIGTERM, wait this long for turns in flight.", valueName: "sec"))
  var drainTimeout: Double = 30

  @Option(
    help: ArgumentHelp(
      "Close a client that takes none of its waiting events for this long.", valueName: "sec"))
  var stallTimeout: Double = 30

  @Option(
    help: ArgumentHelp(
      "Close a client with more than this many bytes of events waiting.", valueName: "bytes"))
  var queueBytes = 16 << 20

  @Option(
    help: ArgumentHelp(
      "Seconds a connection may take to send its request head, or stay idle between HTTP requests.",
      valueName: "sec"))
  var headerTimeout: Double = 10

  @Option(
    help: ArgumentHelp(
      "Log level on stderr: trace, debug, info, notice, warning, error. Env: TGPT_LOG.", valueName: "level"))
  var logLevel: Logger.Level?

  @Argument(
    parsing: .postTerminator,
    help: ArgumentHelp("The chat program (default: tgpt-session serve).", valueName: "command"))
  var command: [String] = []

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
    if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
    if maxMessageBytes < 16 { throw ValidationError("--max-message-bytes must be at least 16") }
    if let token, Self.isBlank(token) { throw ValidationError("--token must not be empty") }
    if queueBytes < 1 << 16 { throw ValidationError("--queue-bytes must be at least 65536") }
    if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
    if !rate.isFinite || rate < 0 { throw ValidationError("--rate must be 0 or more") }
    if !tokenRate.isFinite || tokenRate < 0 { throw ValidationError("--token-rate must be 0 or more") }
    if let principalInFlight, principalInFlight < 0 {
      throw ValidationError("--principal-in-flight must be 0 or more")
    }
    if let principalRate, !(0...1e9).contains(principalRate) {
      throw ValidationError("--principal-rate must be 0 to 1000000000")
    }
    if let principalSessions, principalSessions < 0 { throw ValidationError("--principal-sessions must be 0 or more") }
  }

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    StderrLogHandler.bootstrap(program: "tgpt-ws-bridge", level: logLevel ?? .warning)
    ResourceLimits.raiseOpenFiles()
    var settings = ServerSettings()
    settings.host = host
    settings.port = port
    if let fromEnvironment = ProcessEnvironment.value("TGPT_SERVER_TOKEN"), token == nil, Self.isBlank(fromEnvironment),
      !fromEnvironment.isEmpty
    {
      throw ValidationError("TGPT_SERVER_TOKEN is only blanks: set a real token, or unset it")
    }
    settings.token = token ?? ProcessEnvironment.value("TGPT_SERVER_TOKEN").flatMap { $0.isEmpty ? nil : $0 }
    if let path = tokens ?? ProcessEnvironment.value("TGPT_SERVER_TOKENS").flatMap({ $0.isEmpty ? nil : $0 }) {
      settings.tokens = try TokenTable(path: path)
      let defaults = PrincipalQuotas.Limits()
      settings.quotas = PrincipalQuotas.Limits(
        inFlight: principalInFlight ?? defaults.inFlight, perMinute: principalRate ?? defaults.perMinute,
        sessions: principalSessions ?? defaults.sessions)
    } else if principalInFlight != nil || principalRate != nil || principalSessions != nil {
      throw ValidationError(
        "--principal-in-flight, --principal-rate and --principal-sessions are quotas of the principals of --tokens; give --tokens"
      )
    }
    let loopback = ["127.0.0.1", "::1", "localhost"].contains(host)
    if settings.token == nil, settings.tokens == nil, !loopback, !noAuth {
      throw ValidationError(
        "refusing to listen on \(host) without a token: set --token, TGPT_SERVER_TOKEN or --tokens, or pass --no-auth"
      )
    }
    if let tlsCert, let tlsKey { try settings.loadTLS(certificate: tlsCert, key: tlsKey) }
    settings.allowedOrigins = allowOrigin
    settings.webClient = !noWeb
    settings.maxMessageBytes = maxMessageBytes
    let maxConnections = self.maxConnections ?? settings.maxConnections
    settings.maxConnections = maxConnections
    settings.ratePerSecond = rate
    settings.tokenRatePerSecond = tokenRate
    settings.idleTimeout = try duration(idleTimeout, "--idle-timeout")
    settings.pingInterval = try duration(pingInterval, "--ping-interval")
    settings.drainTimeout = try duration(drainTimeout, "--drain-timeout")
    settings.headerTimeout = try duration(headerTimeout, "--header-timeout")
    // Room kept below the open-file limit for the listening socket, the child's pipes, the
    // store and the logs; a quarter of the rest may be connections still to send their head.
    let budget = max(32, ResourceLimits.openFiles - 64)
    settings.maxWaitingConnections = min(1024, max(16, budget / 4))
    settings.maxOpenConnections = min(budget, maxConnections + settings.maxWaitingConnections)
    // WebSocket connections past the limit get 1013 at once, and HTTP (/healthz) keeps room,
    // rather than all waiting unaccepted once the descriptors are used up.
    let webSockets = max(1, settings.maxOpenConnections - settings.maxWaitingConnections)
    if maxConnections > webSockets {
      // Said only when asked for: the default is simply what the limit allows.
      if self.maxConnections != nil {
        Diagnostics.warning(
          "--max-connections \(maxConnections) is more than the open-file limit (\(ResourceLimits.openFiles)) allows; using \(webSockets)"
        )
      }
      settings.maxConnections = webSockets
    }

    let logger = Logger(label: "tgpt.ws-bridge")
    let relay = ChildRelay(
      configuration: .init(
        command: command.isEmpty ? defaultChild() : command,
        connectionLimits: .init(
          maxQueuedBytes: queueBytes, stallTimeout: try duration(stallTimeout, "--stall-timeout")),
        quotas: settings.tokens == nil ? nil : PrincipalQuotas(limits: settings.quotas)),
      logger: logger)
    do throws(RelayError) { try relay.start() } catch { throw ClientUsage(message: error.description) }
    let scheme = tlsCert == nil ? "http" : "https"
    let server = ChatServer(settings: settings, relay: relay, logger: logger)
    try await server.run { port in
      try? FileIO.writeAll(1, "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)\n")
    }
    await relay.stop()
  }

  private static func isBlank(_ text: String) -> Bool { text.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" } }

  /// `tgpt-session serve` beside this binary, else on PATH.
  private func defaultChild() -> [String] {
    var path = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &path, path.count - 1)
    if count > 0 {
      let me = String(decoding: path[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let sibling =
        me.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/") + "/tgpt-session"
      if access(sibling, X_OK) == 0 { return [sibling, "serve"] }
    }
    return ["tgpt-session", "serve"]
  }
}

/// The chat program could not be started: a configuration problem (exit 78).
struct ClientUsage: KindedError {
  let message: String
  var kind: ErrorKind { .config }
  var description: String { message }
}

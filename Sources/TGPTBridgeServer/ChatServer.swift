import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
package import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import ServiceLifecycle
package import TGPTBridge
import TGPTEvents
import TGPTWebSocketDeflate
import UnixSignals

#if canImport(Glibc)
  import Glibc
#endif

/// The request context of every route: path parameters, and the WebSocket handler slot.
struct ChatContext: RequestContext, WebSocketRequestContext {
  var coreContext: CoreRequestContextStorage
  private let slot: WebSocketSlot
  /// The connection, so a client that stopped reading can be dropped outright.
  let channel: any Channel

  init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    slot = WebSocketSlot(releasingAtCloseOf: source.channel)
    channel = source.channel
  }

  var webSocket: WebSocketHandlerReference<ChatContext> { slot.current }
}

/// The request context of the HTTP routes: path parameters, and the connection, to notice a
/// client that leaves before its answer.
struct HTTPChatContext: RequestContext {
  var coreContext: CoreRequestContextStorage
  let channel: any Channel

  init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    channel = source.channel
  }
}

/// `tgpt-ws-bridge serve`: `/ws/chat/{session_id}`, `POST /chat/{session_id}[/stream]`,
/// `/healthz` and `/metrics` over one relay to the child program.
package struct ChatServer: Sendable {
  let settings: ServerSettings
  let relay: ChildRelay
  let logger: Logger
  let registry: ConnectionRegistry
  let access: AccessPolicy
  let limits: SharedRateLimits
  let gate: ConnectionGate

  package init(settings: ServerSettings, relay: ChildRelay, logger: Logger) {
    self.settings = settings
    self.relay = relay
    self.logger = logger
    registry = ConnectionRegistry(limit: settings.maxConnections)
    access = AccessPolicy(token: settings.token, tokens: settings.tokens, allowedOrigins: settings.allowedOrigins)
    limits = SharedRateLimits(
      perAddress: settings.ratePerSecond, perToken: settings.tokenRatePerSecond, burst: settings.rateBurst)
    let metrics = relay.metrics
    gate = ConnectionGate(
      headerTimeout: settings.headerTimeout, maxWaiting: settings.maxWaitingConnections,
      onEvict: { metrics.recordRefusal("waiting") })
  }

  /// Serves until SIGTERM or SIGINT, then drains: no new connections or messages, turns in
  /// flight finish (up to the drain timeout), connections close with 1001. `onListening` gets
  /// the bound port (useful with port 0).
  package func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
    let application = Application(
      router: httpRouter(),
      server: try serverBuilder(),
      configuration: .init(
        address: .hostname(settings.host, port: settings.port), serverName: nil,
        availableConnectionsDelegate: .maximum(settings.maxOpenConnections, logger: logger)),
      onServerRunning: { channel in onListening(channel.localAddress?.port ?? settings.port) },
      logger: logger)
    let drainer = Drainer(relay: relay, registry: registry, timeout: settings.drainTimeout, logger: logger)
    var configuration = ServiceGroupConfiguration(
      services: [application, drainer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    // The drain, then interrupting the child (its grace, and a wait after a kill), then
    // closing connections: past this, ServiceGroup would cancel it all half-way.
    configuration.maximumGracefulShutdownDuration = settings.drainTimeout + .seconds(5 + 5 + 10 + 10)
    // Trapped before listening, so a SIGHUP never finds the default action (exit) in place.
    var reloading: Task<Void, Never>?
    if let tokens = settings.tokens {
      let hangUps = await UnixSignalsSequence(trapping: .sighup)
      reloading = Task { [logger, registry] in
        await Self.reload(tokens, at: hangUps, logger: logger) { registry.revoke(principals: $0) }
      }
    }
    defer { reloading?.cancel() }
    do {
      try await ServiceGroup(configuration: configuration).run()
    } catch let error as IOError {
      throw ServerError.cannotListen(
        address: "\(settings.host):\(settings.port)", reason: String(cString: strerror(error.errnoCode)))
    }
  }

  /// Reads the tokens file again at each SIGHUP: principals added can connect at once, and
  /// those removed (or given a new token) are cut off, their open WebSockets closed with 1008
  /// and their turns stopped; a bad file leaves the table as it was.
  private static func reload(
    _ tokens: TokenTable, at hangUps: UnixSignalsSequence, logger: Logger,
    revoke: @escaping @Sendable (Set<String>) -> Int
  ) async {
    for await _ in hangUps {
      do {
        let revoked = try await DedicatedThread.run { () throws(ServerError) -> Set<String> in try tokens.reload() }
        let closed = revoked.isEmpty ? 0 : revoke(revoked)
        logger.notice(
          "reloaded \(tokens.path): \(tokens.principals.count) principals; \(revoked.count) revoked, \(closed) connections closed"
        )
      } catch {
        logger.error("kept the principals as they were: \(error.description)")
      }
    }
  }

  private func serverBuilder() throws -> HTTPServerBuilder {
    let webSocket = WebSocketServerConfiguration(
      maxFrameSize: settings.maxFrameBytes,
      extensions: [
        LimitedDeflate.factory(limit: settings.maxFrameBytes) { [relay] _, _ in
          relay.metrics.recordError(code: "too_large")
        }
      ],
      autoPing: .enabled(timePeriod: settings.pingInterval), closeTimeout: .seconds(5))
    let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
      http1: .init(idleTimeout: TimeAmount(settings.headerTimeout)), ws: webSocket)
    let webSocketResponder = webSocketRouter().buildResponder()
    let gate = gate
    let plain = HTTPServerBuilder { responder in
      GatedChildChannel(
        base: HTTP1WebSocketUpgradeChannel(
          responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
        gate: gate)
    }
    guard let tls = settings.tls else { return plain }
    return try .tls(plain, tlsConfiguration: tls)
  }

  private func webSocketRouter() -> Router<ChatContext> {
    let router = Router(context: ChatContext.self)
    let server = self
    router.ws("/ws/chat/{session_id}") { request, context in
      guard let id = context.parameters.get("session_id"), SessionIDRule.isValid(id) else {
        server.relay.metrics.recordRefusal("session_id")
        return .dontUpgrade
      }
      guard server.access.isAllowed(origin: request.headers[.origin], host: request.head.authority) else {
        server.relay.metrics.recordRefusal("origin")
        return .dontUpgrade
      }
      guard !server.registry.isDraining else {
        server.relay.metrics.recordRefusal("draining")
        return .dontUpgrade
      }
      return .upgrade([:])
    } onUpgrade: { inbound, outbound, context in
      let request = context.request
      // A refused upgrade is always HTTP 400 in this server library, which tells a client
      // nothing; a wrong token instead gets an error event with code auth and a 1008 close.
      guard
        case .allowed(let principal) = server.access.verdict(
          headers: request.headers, queryToken: request.uri.queryParameters["token"])
      else {
        server.relay.metrics.recordRefusal("auth")
        await Self.refuse(inbound, outbound)
        return
      }
      // The place is taken here, not at the upgrade decision: an upgrade can still fail after
      // that (a bad extension offer, the client gone), and its place would never come back.
      guard server.registry.reserve() else {
        server.relay.metrics.recordRefusal("limit")
        try? await outbound.close(.init(codeNumber: 1013), reason: "too many connections")
        return
      }
      defer { server.registry.release() }
      let id = context.requestContext.parameters.get("session_id") ?? ""
      let socket = ChatSocket(
        relay: server.relay, settings: server.settings, registry: server.registry, limits: server.limits,
        logger: server.logger, stallTimeout: server.relay.configuration.connectionLimits.stallTimeout,
        address: context.requestContext.channel.remoteAddress?.ipAddress,
        token: server.access.tokenForLimits(headers: request.headers, queryToken: request.uri.queryParameters["token"]),
        deflate: request.headers[.secWebSocketExtensions]?.contains("permessage-deflate") ?? false)
      await socket.run(
        sessionID: id, principal: principal, inbound: inbound, outbound: outbound,
        channel: context.requestContext.channel)
    }
    return router
  }

  /// Answers the first message (or 10 s of silence) of an unauthorized connection with an
  /// `error` event (code auth), then closes with 1008. Waiting for the client to speak first
  /// matters: frames sent right after the upgrade were seen to be lost by the client library.
  static func refuse(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async {
    let failure = Event.Failure(message: "missing or wrong bearer token", code: .auth, retryable: false)
    await refuse(inbound, outbound, with: failure, close: .policyViolation, reason: "unauthorized")
  }

  /// Answers the first message (or 10 s of silence) with an `error` event, then closes.
  static func refuse(
    _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, with failure: Event.Failure,
    close code: WebSocketErrorCode, reason: String
  ) async {
    let id = await Race.run(
      { () -> String? in
        var frames = inbound.makeAsyncIterator()
        guard let frame = try? await frames.next() else { return nil }
        return (try? JSON.parse(Array(frame.data.readableBytesView)))?["id"]?.stringValue
      }, cancelledAfter: .seconds(10))
    try? await outbound.write(.text(Event(.error(failure), id: id).jsonText))
    try? await outbound.close(code, reason: reason)
  }
}

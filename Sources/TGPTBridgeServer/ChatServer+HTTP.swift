import HTTPTypes
import Hummingbird
import NIOCore
import TGPTBridge
import TGPTEvents

extension ChatServer {
  func httpRouter() -> Router<HTTPChatContext> {
    let router = Router(context: HTTPChatContext.self)
    let chat = HTTPChat(relay: relay, settings: settings, limits: limits, access: access)
    router.get("/healthz") { request, context in
      if let refused = refusalOfAStranger(request, context) { return refused }
      return health()
    }
    router.get("/metrics") { request, context in
      if let refused = refusalOfAStranger(request, context) { return refused }
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
        body: .init(byteBuffer: ByteBuffer(string: relay.metrics.prometheusText())))
    }
    if settings.webClient { addWebClient(to: router) }
    router.post("/chat/{session_id}") { request, context in
      switch await start(request, context, chat) {
      case .refused(let response): return response
      case .started(let connection): return await chat.answer(connection, channel: context.channel)
      }
    }
    router.post("/chat/{session_id}/stream") { request, context in
      switch await start(request, context, chat) {
      case .refused(let response): return response
      case .started(let connection): return chat.stream(connection, channel: context.channel)
      }
    }
    return router
  }

  /// Starts the turn a `POST /chat/{id}` asks for, once it passes the drain, origin and token
  /// checks and names a valid session: as the principal of its token.
  private func start(_ request: Request, _ context: HTTPChatContext, _ chat: HTTPChat) async -> HTTPChat.Start {
    let principal: String?
    switch admission(request) {
    case .refused(let response): return .refused(response)
    case .allowed(let who): principal = who
    }
    guard let id = validSessionID(context) else { return .refused(invalidSessionID()) }
    return await chat.begin(request, sessionID: id, principal: principal, context: context)
  }

  /// Whether a request may be answered, and as whom.
  private enum Admission {
    case refused(Response)
    case allowed(principal: String?)
  }

  /// Refuses a request that fails the drain, origin or token checks; else its principal.
  private func admission(_ request: Request) -> Admission {
    if registry.isDraining {
      return .refused(
        HTTPChat.errorResponse(
          Event.Failure(message: "the server is shutting down", code: .unavailable), status: .serviceUnavailable))
    }
    guard access.isAllowed(origin: request.headers[.origin], host: request.head.authority) else {
      relay.metrics.recordRefusal("origin")
      return .refused(
        HTTPChat.errorResponse(Event.Failure(message: "origin not allowed", code: .auth), status: .forbidden))
    }
    let verdict = access.verdict(headers: request.headers, queryToken: request.uri.queryParameters["token"])
    guard case .allowed(let principal) = verdict else { return .refused(unauthorized()) }
    return .allowed(principal: principal)
  }

  /// `/healthz` and `/metrics` answer this machine (a load balancer or scraper beside the
  /// server) and any valid token; anyone else learns nothing of the server's load. A request
  /// a proxy forwarded (`X-Forwarded-For`, `Forwarded`) comes from loopback on someone else's
  /// behalf, so it needs the token too.
  private func refusalOfAStranger(_ request: Request, _ context: HTTPChatContext) -> Response? {
    let forwarded = request.headers[.xForwardedFor] != nil || request.headers[.forwarded] != nil
    if !forwarded, AccessPolicy.isLoopback(context.channel.remoteAddress?.ipAddress) { return nil }
    if case .allowed = access.verdict(headers: request.headers, queryToken: request.uri.queryParameters["token"]) {
      return nil
    }
    return unauthorized()
  }

  private func unauthorized() -> Response {
    relay.metrics.recordRefusal("auth")
    var response = HTTPChat.errorResponse(
      Event.Failure(message: "missing or wrong bearer token", code: .auth), status: .unauthorized)
    response.headers[.wwwAuthenticate] = "Bearer"
    return response
  }

  /// 200 while the chat program runs; 503 while it is down, restarting or stopped, so a load
  /// balancer sends no one to a server that cannot answer.
  private func health() -> Response {
    let inFlight = JSON.int(relay.inFlight)
    switch relay.health {
    case .running:
      return HTTPChat.json(["status": "ok", "child": "running", "in_flight": inFlight], status: .ok)
    case .starting:
      return HTTPChat.json(
        ["status": "unavailable", "child": "starting", "in_flight": inFlight], status: .serviceUnavailable)
    case .restarting(let lastExit):
      return HTTPChat.json(
        ["status": "unavailable", "child": "restarting", "last_exit": .int(Int(lastExit)), "in_flight": inFlight],
        status: .serviceUnavailable)
    case .stopped:
      return HTTPChat.json(
        ["status": "unavailable", "child": "stopped", "in_flight": inFlight], status: .serviceUnavailable)
    }
  }

  private func validSessionID(_ context: HTTPChatContext) -> String? {
    guard let id = context.parameters.get("session_id"), SessionIDRule.isValid(id) else { return nil }
    return id
  }

  private func invalidSessionID() -> Response {
    HTTPChat.errorResponse(
      MessageIntake.badInput("invalid session id: use \(SessionIDRule.text)"), status: .badRequest)
  }
}

extension HTTPField.Name {
  /// The client address a proxy adds (`X-Forwarded-For: client, proxy1`).
  static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
  /// RFC 7239's standard form of the same.
  static let forwarded = HTTPField.Name("Forwarded")!
}

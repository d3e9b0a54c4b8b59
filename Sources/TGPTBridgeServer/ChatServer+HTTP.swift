import Hummingbird
import NIOCore
import TGPTBridge
import TGPTEvents

extension ChatServer {
  func httpRouter() -> Router<HTTPChatContext> {
    let router = Router(context: HTTPChatContext.self)
    let chat = HTTPChat(relay: relay, settings: settings, limits: limits, access: access)
    router.get("/healthz") { _, _ in health() }
    router.get("/metrics") { request, _ in
      if let refused = refusal(request) { return refused }
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
        body: .init(byteBuffer: ByteBuffer(string: relay.metrics.prometheusText())))
    }
    router.post("/chat/{session_id}") { request, context in
      if let refused = refusal(request) { return refused }
      guard let id = validSessionID(context) else { return invalidSessionID() }
      switch await chat.begin(request, sessionID: id, context: context) {
      case .refused(let response): return response
      case .started(let connection): return await chat.answer(connection, channel: context.channel)
      }
    }
    router.post("/chat/{session_id}/stream") { request, context in
      if let refused = refusal(request) { return refused }
      guard let id = validSessionID(context) else { return invalidSessionID() }
      switch await chat.begin(request, sessionID: id, context: context) {
      case .refused(let response): return response
      case .started(let connection): return chat.stream(connection, channel: context.channel)
      }
    }
    return router
  }

  /// The response refusing a request that fails the token, origin or drain checks, or nil.
  private func refusal(_ request: Request) -> Response? {
    if registry.isDraining {
      return HTTPChat.errorResponse(
        Event.Failure(message: "the server is shutting down", code: .unavailable), status: .serviceUnavailable)
    }
    guard access.isAllowed(origin: request.headers[.origin]) else {
      relay.metrics.recordRefusal("origin")
      return HTTPChat.errorResponse(Event.Failure(message: "origin not allowed", code: .auth), status: .forbidden)
    }
    guard access.isAuthorized(headers: request.headers, queryToken: request.uri.queryParameters["token"]) else {
      relay.metrics.recordRefusal("auth")
      var response = HTTPChat.errorResponse(
        Event.Failure(message: "missing or wrong bearer token", code: .auth), status: .unauthorized)
      response.headers[.wwwAuthenticate] = "Bearer"
      return response
    }
    return nil
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

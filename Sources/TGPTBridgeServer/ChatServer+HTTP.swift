import Hummingbird
import NIOCore
import TGPTBridge
import TGPTEvents

extension ChatServer {
  func httpRouter() -> Router<ChatContext> {
    let router = Router(context: ChatContext.self)
    let chat = HTTPChat(relay: relay, settings: settings)
    router.get("/healthz") { _, _ in
      HTTPChat.json(["status": "ok", "in_flight": .int(relay.inFlight)], status: .ok)
    }
    router.get("/metrics") { request, _ in
      if let refused = refusal(request) { return refused }
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
        body: .init(byteBuffer: ByteBuffer(string: relay.metrics.prometheusText())))
    }
    router.post("/chat/{session_id}") { request, context in
      if let refused = refusal(request) { return refused }
      guard let id = validSessionID(context) else { return invalidSessionID() }
      switch await chat.begin(request, sessionID: id) {
      case .refused(let response): return response
      case .started(let connection): return await chat.answer(connection)
      }
    }
    router.post("/chat/{session_id}/stream") { request, context in
      if let refused = refusal(request) { return refused }
      guard let id = validSessionID(context) else { return invalidSessionID() }
      switch await chat.begin(request, sessionID: id) {
      case .refused(let response): return response
      case .started(let connection): return chat.stream(connection)
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

  private func validSessionID(_ context: ChatContext) -> String? {
    guard let id = context.parameters.get("session_id"), SessionIDRule.isValid(id) else { return nil }
    return id
  }

  private func invalidSessionID() -> Response {
    HTTPChat.errorResponse(
      MessageIntake.badInput("invalid session id: use \(SessionIDRule.text)"), status: .badRequest)
  }
}

import Hummingbird
import NIOCore
import TGPTBridge
import TGPTEvents

/// The seed's REST compatibility: `POST /chat/{session_id}` answers with the whole reply as
/// JSON, and `POST /chat/{session_id}/stream` streams the same events as SSE for `curl -N`.
struct HTTPChat {
  let relay: ChildRelay
  let settings: ServerSettings
  let limits: SharedRateLimits
  let access: AccessPolicy

  /// A turn started, or the response refusing it.
  enum Start {
    case started(RelayConnection)
    case refused(Response)
  }

  /// Reads and checks the body, then starts the turn; the response is built from its events.
  func begin(_ request: Request, sessionID: String, principal: String?, context: HTTPChatContext) async -> Start {
    let body: ByteBuffer
    do {
      body = try await request.body.collect(upTo: settings.maxMessageBytes)
    } catch {
      return .refused(
        Self.errorResponse(
          MessageIntake.badInput("the body is over the limit of \(settings.maxMessageBytes) bytes"),
          status: .contentTooLarge))
    }
    let bytes = Array(body.readableBytesView)
    switch MessageIntake.read(text: bytes, binary: false, totalBytes: bytes.count, maxBytes: settings.maxMessageBytes) {
    case .reject(let failure, _):
      relay.metrics.recordError(code: failure.code.rawValue)
      return .refused(Self.errorResponse(failure, status: .badRequest))
    case .relay(.cancel), .relay(.history), .relay(.delete), .relay(.sessions):
      // Each HTTP request is one answer: a cancel has nothing here to stop (closing the
      // connection is how an HTTP client gives up), and history, delete and sessions are the
      // WebSocket's.
      let failure = MessageIntake.badInput(
        "cancel, history, delete and sessions requests need the WebSocket endpoint /ws/chat/{id}")
      relay.metrics.recordError(code: failure.code.rawValue)
      return .refused(Self.errorResponse(failure, status: .badRequest))
    case .relay(.message(let message)):
      let token = access.tokenForLimits(headers: request.headers, queryToken: request.uri.queryParameters["token"])
      if let refusal = limits.take(address: context.channel.remoteAddress?.ipAddress, token: token) {
        let failure = MessageIntake.rateLimited(refusal, settings: settings)
        relay.metrics.recordError(code: failure.code.rawValue)
        return .refused(Self.errorResponse(failure, status: .tooManyRequests))
      }
      let connection: RelayConnection
      do {
        connection = try relay.connect(sessionID: sessionID, principal: principal)
      } catch {
        return .refused(Self.errorResponse(error.failure, status: .tooManyRequests))
      }
      relay.submit(message, on: connection)
      return .started(connection)
    }
  }

  /// The whole answer: content, model, usage, processing_time_ms — or the error, with an HTTP
  /// status that says what kind it was. A client that leaves first has its turn cancelled.
  func answer(_ connection: RelayConnection, channel: any Channel) async -> Response {
    let watcher = abandonWhenGone(connection, channel)
    defer {
      watcher.cancel()
      connection.close()
    }
    return await collect(connection)
  }

  /// Watches the client's connection while its answer is owed (once a second: a callback on
  /// the channel's close would pile up on a keep-alive connection, one per request): a client
  /// that leaves has its turn abandoned, whether or not anything was written to it yet.
  private func abandonWhenGone(_ connection: RelayConnection, _ channel: any Channel) -> Task<Void, Never> {
    Task { [relay] in
      while !Task.isCancelled, channel.isActive { try? await Task.sleep(for: .seconds(1)) }
      if !Task.isCancelled {
        relay.abandon(connection)
        connection.close()
      }
    }
  }

  private func collect(_ connection: RelayConnection) async -> Response {
    var content = ""
    var model: JSON = .null
    var usage: JSON = .null
    // Each call with its outcome, in the order the calls came.
    var tools: [(call: Event.ToolCall, result: Event.ToolResult?)] = []
    for await line in connection.events {
      connection.taken(line.count)
      guard let event = try? Event.decode(String(decoding: line, as: UTF8.self)) else { continue }
      switch event.payload {
      case .chunk(let chunk):
        content += chunk.content
        if let name = chunk.model { model = .string(name) }
        if let used = chunk.usage { usage = used.json }
      case .toolCall(let call):
        tools.append((call, nil))
      case .toolResult(let result):
        if let index = tools.firstIndex(where: { $0.call.callID == result.callID && $0.result == nil }) {
          tools[index].result = result
        }
      case .complete(let complete):
        if usage.isNull, let used = complete.usage { usage = used.json }
        var reply: JSON = [
          "content": .string(content), "model": model, "usage": usage,
          "processing_time_ms": .int(complete.processingTimeMs),
          "session_id": .string(connection.sessionID),
        ]
        if !tools.isEmpty, case .object(var fields) = reply {
          fields["tool_calls"] = .array(tools.map(Self.toolCall))
          reply = .object(fields)
        }
        return Self.json(reply, status: .ok)
      case .error(let failure):
        return Self.errorResponse(failure, status: Self.status(for: failure.code))
      default: continue
      }
    }
    return Self.errorResponse(
      Event.Failure(message: "the chat program ended without an answer", code: .unavailable), status: .badGateway)
  }

  /// A call and its outcome, as the whole-answer reply lists them.
  static func toolCall(_ call: Event.ToolCall, _ result: Event.ToolResult?) -> JSON {
    var object = JSONObject([
      ("call_id", .string(call.callID)), ("name", .string(call.name)), ("arguments", call.arguments),
    ])
    if let result {
      object["content"] = .string(result.content)
      if let exitCode = result.exitCode { object["exit_code"] = .int(exitCode) }
      if let durationMs = result.durationMs { object["duration_ms"] = .int(durationMs) }
      object["is_error"] = .bool(result.isError)
    }
    return .object(object)
  }

  /// The events as Server-Sent Events, one `data:` line each, ending after the terminal one.
  func stream(_ connection: RelayConnection, channel: any Channel) -> Response {
    // Watched from now, not from inside the body: when the client has gone before the head
    // is written, the server never runs the body, and the turn, with its place in the
    // principal's quota, would stay.
    let watcher = abandonWhenGone(connection, channel)
    return Response(
      status: .ok,
      headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
      body: ResponseBody { [relay] writer in
        defer {
          watcher.cancel()
          connection.close()
          // A client that left mid-answer: its turn stops (nothing when it ended).
          relay.abandon(connection)
        }
        for await line in connection.events {
          var buffer = ByteBuffer()
          buffer.writeString("data: ")
          buffer.writeBytes(line)
          buffer.writeString("\n\n")
          try await writer.write(buffer)
          connection.taken(line.count)
          if EventTags.read(line)?.isTerminal == true { break }
        }
        try await writer.finish(nil)
      })
  }

  static func status(for code: ErrorKind) -> HTTPResponse.Status {
    switch code {
    case .badInput, .badRequest, .usage: .badRequest
    case .contextOverflow: .contentTooLarge
    case .auth: .badGateway
    case .rateLimited: .tooManyRequests
    case .timeout: .gatewayTimeout
    case .unavailable: .serviceUnavailable
    case .interrupted: .serviceUnavailable
    case .config, .internal: .internalServerError
    }
  }

  static func errorResponse(_ failure: Event.Failure, status: HTTPResponse.Status) -> Response {
    var writer = JSONWriter()
    Event(.error(failure)).encode(into: &writer)
    writer.byte(UInt8(ascii: "\n"))
    return Response(
      status: status, headers: [.contentType: "application/json"],
      body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
  }

  static func json(_ value: JSON, status: HTTPResponse.Status) -> Response {
    var writer = JSONWriter()
    writer.value(value)
    writer.byte(UInt8(ascii: "\n"))
    return Response(
      status: status, headers: [.contentType: "application/json"],
      body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
  }
}

import TGPTEvents

/// Serves one connection: one request, one response.
struct Handler {
  let socket: Socket
  let log: RequestLog
  let gates: Gates

  func serve() {
    guard let (head, body) = socket.readRequest() else { return }
    let lines = head.split(separator: "\r\n")
    let requestLine = lines.first.map { $0.split(separator: " ") } ?? []
    guard requestLine.count >= 2 else { return respondPlain(400, "bad request line") }
    let method = String(requestLine[0])
    // As an HTTP proxy it receives absolute targets (`http://host/path`): serve the path, so
    // tests can check that proxy variables are honoured.
    var target = String(requestLine[1])
    var proxiedHost: String?
    if target.hasPrefix("http://") {
      let rest = target.dropFirst("http://".count)
      let slash = rest.firstIndex(of: "/") ?? rest.endIndex
      proxiedHost = String(rest[..<slash])
      target = String(rest[slash...])
    }
    var headers = JSONObject()
    for line in lines.dropFirst() {
      let parts = line.split(separator: ":", maxSplits: 1)
      if parts.count == 2 { headers[parts[0].lowercased()] = .string(String(parts[1].drop { $0 == " " })) }
    }

    if method == "GET", target.hasPrefix("/_requests") {
      let key = target.split(separator: "key=").dropFirst().first.map(String.init)
      return respondPlain(200, log.lines(key: key).map { $0 + "\n" }.joined(), type: "application/x-ndjson")
    }
    if method == "GET", target.hasPrefix("/_release?gate=") {
      gates.release(String(target.dropFirst("/_release?gate=".count)))
      return respondPlain(200, "released\n")
    }
    if method == "GET", target == "/healthz" { return respondPlain(200, "ok\n") }

    // `/[scenario/]v1/<endpoint>`, as a real server serves its API under /v1: a base URL
    // without it gets the 404 such servers send.
    let pathAndQuery = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    var segments = pathAndQuery[0].split(separator: "/").map(String.init)
    var scenarioSegment = ""
    if let first = segments.first, first != "v1", first != "models" { scenarioSegment = segments.removeFirst() }
    let endpoint = segments.joined(separator: "/")
    let known = method == "GET" ? ["v1/models", "models"] : ["v1/chat/completions", "v1/messages"]
    guard known.contains(endpoint) else {
      guard method == "GET" || method == "POST" else { return respondPlain(405, "method not allowed") }
      return respondPlain(404, #"{"detail":"Not Found"}"#, type: "application/json")
    }
    var scenario: Scenario
    do {
      scenario = try Scenario(segment: scenarioSegment)
    } catch {
      return respondPlain(400, "tgpt-fake-provider: \(error.message)\n")
    }

    let request = (try? JSON.parse(body)) ?? .string(String(decoding: body, as: UTF8.self))
    var record: JSON = ["path": .string(target), "headers": .object(headers), "body": request]
    if let proxiedHost, case .object(var object) = record {
      object["proxied_host"] = .string(proxiedHost)
      record = .object(object)
    }
    log.record(key: scenario.key, line: record.compactText)
    let sequence = log.next(key: scenario.key)

    if let gate = scenario.gate, !gates.wait(for: gate, socket: socket) { return }
    if scenario.firstMs > 0 { ResponseWriter(socket: socket, scenario: scenario).pause(scenario.firstMs) }
    if let status = scenario.status, scenario.times.map({ sequence < $0 }) ?? true {
      return respondStatus(status, scenario)
    }
    if method == "GET" {
      let query = pathAndQuery.count > 1 ? String(pathAndQuery[1]) : ""
      let anthropic = headers["anthropic-version"] != nil
      return respondPlain(
        200, ModelList(scenario: scenario, anthropic: anthropic).page(query: query), type: "application/json")
    }

    if scenario.callOffered, scenario.calls.isEmpty { scenario.calls = OfferedCalls.make(request) }
    let play =
      scenario.calls.isEmpty ? nil : ToolPlay(scenario: scenario, messages: request["messages"]?.arrayValue ?? [])
    let reply = Self.reply(for: scenario, request: request, play: play)
    var firstCall: Int?
    if case .calls(let first)? = play { firstCall = first }
    let promptTokens = (request["messages"]?.arrayValue ?? []).count * 4
    var out = ResponseWriter(socket: socket, scenario: scenario)
    out.gates = gates
    if target.hasSuffix("/messages") {
      out.head(status: 200, contentType: "text/event-stream")
      var stream = AnthropicStream(scenario: scenario, reply: reply, promptTokens: promptTokens)
      if let firstCall { stream.toolCalls = OutgoingCall.numbered(scenario.calls, prefix: "toolu", from: firstCall) }
      if stream.write(to: &out) { out.end() }
      return
    }
    var stream = OpenAIStream(
      scenario: scenario, reply: reply, promptTokens: promptTokens,
      includeUsage: request["stream_options"]?["include_usage"]?.boolValue == true)
    if let firstCall { stream.toolCalls = OutgoingCall.numbered(scenario.calls, prefix: "call", from: firstCall) }
    if scenario.json {
      out.head(status: 200, contentType: "application/json")
      out.send(stream.whole())
      out.end()
      return
    }
    out.head(status: 200, contentType: "text/event-stream")
    guard stream.write(to: &out) else { return }
    if scenario.hold {
      socket.waitForClose(seconds: 600)
      return
    }
    out.end()
  }

  /// The answer: `text`, `tokens` generated words, or the last user message echoed, in
  /// word-sized pieces. In a tool-calling scenario: `text` (or nothing) before the calls, or
  /// the report of the tool results.
  static func reply(for scenario: Scenario, request: JSON, play: ToolPlay?) -> [String] {
    switch play {
    case .calls?: return words(scenario.text ?? "")
    case .report(let report)?: return words(report)
    case nil: break
    }
    if let tokens = scenario.tokens {
      let words = ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog. "]
      return (0..<tokens).map { words[$0 % words.count] }
    }
    let content = request["messages"]?.arrayValue?.last { $0["role"]?.stringValue == "user" }?["content"]
    // Content parts (an attached file, then the question) echo as paragraphs; images as nothing.
    let asked =
      content?.stringValue ?? content?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined(separator: "\n\n")
    return words(scenario.text ?? asked ?? "")
  }

  /// `text` in pieces of a word and the space after it; they concatenate to `text`.
  static func words(_ text: String) -> [String] {
    let words = text.split(separator: " ", omittingEmptySubsequences: false)
    return words.enumerated().map { index, word in index < words.count - 1 ? word + " " : String(word) }.filter {
      !$0.isEmpty
    }
  }

  private func respondStatus(_ status: Int, _ scenario: Scenario) {
    var extra: [(String, String)] = []
    if let retryAfter = scenario.retryAfter { extra.append(("Retry-After", retryAfter)) }
    if let ms = scenario.retryAfterMs { extra.append(("retry-after-ms", ms)) }
    if let should = scenario.shouldRetry { extra.append(("x-should-retry", should)) }
    if let location = scenario.location { extra.append(("Location", location)) }
    let code: JSON = status == 429 ? "rate_limit_exceeded" : .int(status)
    let body: JSON = ["error": ["message": .string("fake status \(status)"), "type": "fake_error", "code": code]]
    var out = ResponseWriter(socket: socket, scenario: Scenario())
    out.head(status: status, contentType: "application/json", extra: extra)
    out.send(body.compactText)
    out.end()
  }

  private func respondPlain(_ status: Int, _ text: String, type: String = "text/plain") {
    var out = ResponseWriter(socket: socket, scenario: Scenario())
    out.head(status: status, contentType: type)
    out.send(text)
    out.end()
  }
}

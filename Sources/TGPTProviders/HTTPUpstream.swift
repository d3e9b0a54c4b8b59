import Logging
import TGPTEvents

/// The wire format of one HTTP provider family: how to build the request, how to read the stream.
protocol WireFormat: Sendable {
  /// The API base the requests go under (for messages about a wrong one).
  var baseURL: String { get }
  func request(for chat: ChatRequest) throws(ProviderError) -> (url: String, headers: [(String, String)], body: [UInt8])
  func makeDecoder() -> ProviderStreamDecoder
  /// The request for one page of the model list: the first, or the one after the model `after`.
  func modelsRequest(after: String?) -> (url: String, headers: [(String, String)])
}

/// An attempt over HTTP: send the request, check the status, parse the event stream.
struct HTTPUpstream: Upstream {
  let format: any WireFormat
  let http1Only: Bool
  let caFile: String?
  let insecure: Bool
  let logger: Logger
  /// The most of an error body we keep for the message.
  static let errorBodyLimit = 64 << 10
  /// Seconds to wait for the usage chunk after a finish reason, on a connection left open.
  static let afterFinishGrace = 2.0

  func attempt(
    _ chat: ChatRequest, limits: RunLimits, deadline: Deadline?, emit: (ProviderOutput) throws -> Void
  ) async throws {
    let (url, headers, body) = try format.request(for: chat)
    let request = HTTPRequest(
      url: url, headers: headers, body: body, limits: limits, deadline: deadline, http1Only: http1Only,
      caFile: caFile, insecure: insecure)

    logger.debug("request POST \(url) (\(body.count) bytes)")
    var decoder = format.makeDecoder()
    var status = 0
    var responseHeaders = HTTPHeaders()
    var collected: [UInt8] = []
    var mode = BodyMode.events

    let (parts, control) = HTTPClient.shared.start(request)
    var graceSet = false
    do {
      receiving: for try await part in parts {
        switch part {
        case .head(let code, let fields):
          logger.debug("response HTTP \(code) \(fields["content-type"] ?? "")")
          status = code
          responseHeaders = fields
          if !(200..<300).contains(code) {
            mode = .errorBody
          } else if let type = fields["content-type"]?.lowercased(), type.contains("json"),
            !type.contains("event-stream")
          {
            mode = .wholeJSON
          }
        case .body(let bytes):
          switch mode {
          case .events:
            try bytes.withUnsafeBytes { try decoder.feed($0, emit) }
            // `[DONE]` or `message_stop` ends the answer even if the server keeps the
            // connection open; leaving the loop cancels the transfer.
            if decoder.sawEndMarker { break receiving }
            if decoder.isComplete, !graceSet {
              // After the finish reason only the usage chunk may follow: wait for it briefly.
              graceSet = true
              control.setIdleTimeout(Self.afterFinishGrace)
            }
          case .errorBody:
            collected.append(contentsOf: bytes.prefix(Self.errorBodyLimit - collected.count))
            if collected.count >= Self.errorBodyLimit {
              throw ProviderError.fromResponse(
                status: status, headers: responseHeaders, body: collected, request: ("POST", url, format.baseURL))
            }
          case .wholeJSON:
            collected.append(contentsOf: bytes)
          }
        }
      }
    } catch let error as ProviderError where error.isTransport && mode == .events && decoder.isComplete {
      // The answer was complete (finish reason seen): a connection that then breaks or idles
      // instead of closing costs nothing. Errors the provider reports still count.
      logger.debug("after the finish: \(error.description)")
    }
    // A cancelled consumer sees the stream end quietly; it must not look like a truncated answer.
    try Task.checkCancellation()

    switch mode {
    case .errorBody:
      throw ProviderError.fromResponse(
        status: status, headers: responseHeaders, body: collected, request: ("POST", url, format.baseURL))
    case .wholeJSON:
      try collected.withUnsafeBytes { try decoder.decodeWhole($0, emit) }
    case .events:
      try decoder.finish(emit)
    }
    guard decoder.isComplete else { throw ProviderError.truncated(afterEndMarker: decoder.sawEndMarker) }
  }

  private enum BodyMode { case events, errorBody, wholeJSON }
}

extension ProviderError {
  /// The error for a non-2xx response, from its status, headers and (JSON or text) body. A 404
  /// names the URL asked for, and a base URL without a version segment most likely lacks `/v1`.
  static func fromResponse(
    status: Int, headers: HTTPHeaders, body: [UInt8], request: (method: String, url: String, base: String)? = nil
  ) -> ProviderError {
    let json = try? JSON.parse(body)
    let errorValue = json?["error"] ?? json
    // `detail`: FastAPI's shape (vLLM and other Python servers).
    var message =
      errorValue?["message"]?.stringValue ?? errorValue?.stringValue ?? errorValue?["detail"]?.stringValue
    let code: String? =
      switch errorValue?["code"] {
      case .string(let s)?: s
      case .number(let n)?: n.text
      default: nil
      }
    let type = errorValue?["type"]?.stringValue
    let text = String(decoding: body.prefix(2000), as: UTF8.self)
    if message == nil {
      let trimmed = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
      message = trimmed.isEmpty ? Self.reasonPhrase(status) : String(trimmed.prefix(300))
    }
    if (300..<400).contains(status), let location = headers["location"] {
      message = "redirected to \(location); use that address as the base URL"
    }
    if status == 404, let request {
      message = (message ?? Self.reasonPhrase(status)) + " (\(request.method) \(request.url))"
      if let suggestion = BaseURL.withVersion(request.base) {
        message! += "; the base URL has no version in its path: try \(suggestion)"
      }
    }
    let shouldRetry = headers["x-should-retry"].map { $0.lowercased() == "true" }
    return .http(
      status: status, message: message ?? Self.reasonPhrase(status), details: text.isEmpty ? nil : text, code: code,
      type: type, retryAfter: RetryPolicy.retryAfter(headers), shouldRetry: shouldRetry)
  }

  private static func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 400: "bad request"
    case 401: "unauthorized (check the API key)"
    case 402: "payment required (out of credits)"
    case 403: "forbidden"
    case 404: "not found (check the base URL and model)"
    case 408: "request timeout"
    case 409: "conflict"
    case 429: "rate limited"
    case 500: "internal server error"
    case 502: "bad gateway"
    case 503: "service unavailable"
    case 504: "gateway timeout"
    default: "unexpected status"
    }
  }
}

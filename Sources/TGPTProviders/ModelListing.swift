import Logging
package import TGPTEvents

extension Upstream {
  func models(limits: RunLimits, deadline: Deadline?) async throws -> [JSON] {
    throw ProviderError.config("this provider cannot list its models")
  }
}

extension Provider {
  /// The provider's models, as the objects its model list gives (each has an `id`), in its
  /// order. Throws `ProviderError` (mapped like a chat request's: 401 is `auth`, …) or
  /// `CancellationError` when the calling task is cancelled, which aborts the transfer.
  package func models(limits: RunLimits = RunLimits()) async throws -> [JSON] {
    try await upstream.models(limits: limits, deadline: limits.totalTimeout.map { Deadline(seconds: $0) })
  }
}

extension EchoUpstream {
  func models(limits: RunLimits, deadline: Deadline?) async throws -> [JSON] {
    [["id": "echo", "object": "model", "owned_by": "tgpt"]]
  }
}

extension HTTPUpstream {
  /// The most of a model list we read (OpenRouter's, with descriptions and prices, is about 2 MB).
  static let modelListLimit = 64 << 20
  /// The most pages we follow (Anthropic pages its list; the others send it whole).
  static let modelPageLimit = 100

  func models(limits: RunLimits, deadline: Deadline?) async throws -> [JSON] {
    var models: [JSON] = []
    var after: String?
    for _ in 0..<Self.modelPageLimit {
      let (url, headers) = format.modelsRequest(after: after)
      let page = try await modelPage(url: url, headers: headers, limits: limits, deadline: deadline)
      guard let data = page["data"]?.arrayValue ?? page.arrayValue else {
        throw ProviderError.badStream("the model list from \(url) has no \"data\" array")
      }
      models += data
      guard page["has_more"]?.boolValue == true, let last = page["last_id"]?.stringValue else { break }
      after = last
    }
    return models
  }

  private func modelPage(
    url: String, headers: [(String, String)], limits: RunLimits, deadline: Deadline?
  ) async throws -> JSON {
    let request = HTTPRequest(
      url: url, method: "GET", headers: headers, limits: limits, deadline: deadline, http1Only: http1Only,
      caFile: caFile, insecure: insecure)
    logger.debug("request GET \(url)")
    var status = 0
    var responseHeaders = HTTPHeaders()
    var body: [UInt8] = []
    for try await part in HTTPClient.shared.stream(request) {
      switch part {
      case .head(let code, let fields):
        logger.debug("response HTTP \(code) \(fields["content-type"] ?? "")")
        status = code
        responseHeaders = fields
      case .body(let bytes):
        body += bytes
        if body.count > Self.modelListLimit {
          throw ProviderError.badStream("the model list from \(url) is larger than \(Self.modelListLimit >> 20) MiB")
        }
      }
    }
    try Task.checkCancellation()
    guard (200..<300).contains(status) else {
      throw ProviderError.fromResponse(
        status: status, headers: responseHeaders, body: Array(body.prefix(Self.errorBodyLimit)),
        request: ("GET", url, format.baseURL))
    }
    do {
      return try JSON.parse(body)
    } catch {
      throw ProviderError.badStream(
        "the model list from \(url) is not JSON", details: String(decoding: body.prefix(300), as: UTF8.self))
    }
  }
}

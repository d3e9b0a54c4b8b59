package import TGPTEvents

/// The error type of `TGPTProviders`: everything that can end an attempt to get an answer,
/// from a missing key to a stream the provider cut short.
package struct ProviderError: KindedError, Sendable {
  private enum Reason: Sendable {
    case http(status: Int, message: String)
    case reportedInStream(message: String)
    case connectFailed(String)
    case tls(String)
    case connectTimeout(seconds: Double)
    case idleTimeout(seconds: Double)
    case deadline(seconds: Double)
    case connectionLost(String)
    case truncated(afterEndMarker: Bool)
    case badStream(String)
    case eventTooLarge(limit: Int)
    case missingKey(variable: String, provider: String)
    case config(String)
    case transport(String)
  }

  private let reason: Reason
  /// How this failure maps onto the shared exit-code table and `error.code`.
  package let kind: ErrorKind
  /// More about the failure (the provider's error body, say), for `error_details`.
  package let details: String?
  /// The HTTP status behind it, if any.
  package let status: Int?
  /// How long the provider asked us to wait before retrying (`Retry-After`), in seconds.
  package let retryAfter: Double?
  /// Whether a retry may succeed; also honours the provider's `x-should-retry` header and
  /// codes that never succeed on retry (`insufficient_quota`, payment required).
  package let isRetryable: Bool

  private init(
    _ reason: Reason, kind: ErrorKind, details: String? = nil, status: Int? = nil,
    retryAfter: Double? = nil, retryable: Bool? = nil
  ) {
    self.reason = reason
    self.kind = kind
    self.details = details
    self.status = status
    self.retryAfter = retryAfter
    self.isRetryable = retryable ?? kind.isRetryable
  }

  package var description: String {
    switch reason {
    case .http(let status, let message): "HTTP \(status): \(message)"
    case .reportedInStream(let message): message
    case .connectFailed(let what): "could not connect: \(what)"
    case .tls(let what): "TLS failure: \(what)"
    case .connectTimeout(let s): "connect timed out after \(Self.seconds(s))"
    case .idleTimeout(let s): "no data from the provider for \(Self.seconds(s)) (--idle-timeout)"
    case .deadline(let s): "no complete answer within \(Self.seconds(s)) (--timeout)"
    case .connectionLost(let what): "connection lost: \(what)"
    case .truncated(let afterEndMarker):
      afterEndMarker
        ? "the provider ended the stream without finishing the answer (an end marker, but no finish reason)"
        : "the provider ended the stream without finishing the answer"
    case .badStream(let what): "the provider sent an invalid stream: \(what)"
    case .eventTooLarge(let limit): "the provider sent an event larger than \(limit) bytes"
    case .missingKey(let variable, let provider):
      "no API key for \(provider): set \(variable) (or api_key_cmd in the config file)"
    case .config(let what): what
    case .transport(let what): what
    }
  }

  private static func seconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
  }

  // MARK: - Constructors

  /// A non-2xx response. `code`/`type` are the provider's error code and type, when its body had them.
  static func http(
    status: Int, message: String, details: String?, code: String?, type: String?,
    retryAfter: Double?, shouldRetry: Bool?
  ) -> ProviderError {
    let kind = Self.classify(status: status, code: code, type: type)
    var retryable = kind.isRetryable && !Self.neverRetried(status: status, code: code, type: type)
    if let shouldRetry { retryable = shouldRetry }
    return ProviderError(
      .http(status: status, message: message), kind: kind, details: details, status: status,
      retryAfter: retryAfter, retryable: retryable)
  }

  /// An error the provider sent inside a 200 stream.
  static func reportedInStream(message: String, details: String?, status: Int?, code: String?, type: String?)
    -> ProviderError
  {
    let kind = Self.classify(status: status, code: code, type: type, fallback: .unavailable)
    let retryable = kind.isRetryable && !Self.neverRetried(status: status, code: code, type: type)
    return ProviderError(
      .reportedInStream(message: message), kind: kind, details: details, status: status, retryable: retryable)
  }

  static func connectFailed(_ what: String) -> ProviderError { ProviderError(.connectFailed(what), kind: .unavailable) }
  static func tls(_ what: String) -> ProviderError { ProviderError(.tls(what), kind: .unavailable, retryable: false) }
  static func connectTimeout(seconds: Double) -> ProviderError {
    ProviderError(.connectTimeout(seconds: seconds), kind: .timeout)
  }
  static func idleTimeout(seconds: Double) -> ProviderError {
    ProviderError(.idleTimeout(seconds: seconds), kind: .timeout)
  }
  static func deadline(seconds: Double) -> ProviderError { ProviderError(.deadline(seconds: seconds), kind: .timeout) }
  static func connectionLost(_ what: String) -> ProviderError {
    ProviderError(.connectionLost(what), kind: .unavailable)
  }
  /// The body ended without the provider's finish reason. Servers send their end marker
  /// (`[DONE]`) after an aborted generation too (llama.cpp), so that marker alone proves nothing.
  static func truncated(afterEndMarker: Bool) -> ProviderError {
    ProviderError(.truncated(afterEndMarker: afterEndMarker), kind: .unavailable)
  }
  static func badStream(_ what: String, details: String? = nil) -> ProviderError {
    ProviderError(.badStream(what), kind: .unavailable, details: details, retryable: false)
  }
  static func eventTooLarge(limit: Int) -> ProviderError {
    ProviderError(.eventTooLarge(limit: limit), kind: .unavailable, retryable: false)
  }
  /// No key was configured for a provider that needs one.
  package static func missingKey(variable: String, provider: String) -> ProviderError {
    ProviderError(.missingKey(variable: variable, provider: provider), kind: .auth)
  }
  /// A configuration value is wrong.
  package static func config(_ what: String) -> ProviderError { ProviderError(.config(what), kind: .config) }
  /// The input (a whole request on stdin) has the wrong shape.
  package static func badInput(_ what: String) -> ProviderError { ProviderError(.config(what), kind: .badInput) }
  static func transport(_ what: String) -> ProviderError { ProviderError(.transport(what), kind: .unavailable) }

  /// Whether the failure is the connection's (not something the provider said).
  var isTransport: Bool {
    switch reason {
    case .connectFailed, .tls, .connectTimeout, .idleTimeout, .deadline, .connectionLost, .transport: true
    default: false
    }
  }

  /// A problem that retrying cannot fix: a malformed or unsupported URL, a missing library.
  static func setup(_ what: String) -> ProviderError { ProviderError(.config(what), kind: .config) }

  /// Whether this failure is one of our own timeouts (never retried: the user set the bound).
  var isOwnTimeout: Bool {
    switch reason {
    case .idleTimeout, .deadline: true
    default: false
    }
  }

  // MARK: - Classification

  /// Maps an HTTP status and/or a provider error code or type onto an `ErrorKind`.
  static func classify(status: Int?, code: String?, type: String?, fallback: ErrorKind = .unavailable) -> ErrorKind {
    for word in [code, type].compactMap({ $0?.lowercased() }) {
      if word.contains("context_length") || word.contains("context_size") || word.contains("exceed_context") {
        return .contextOverflow
      }
      if word.contains("insufficient_quota") || word.contains("billing") || word.contains("spend_limit") {
        return .auth
      }
      if word.contains("rate_limit") { return .rateLimited }
      if word.contains("authentication") || word.contains("permission") || word.contains("invalid_api_key") {
        return .auth
      }
      if word.contains("overloaded") || word.contains("server_error") || word.contains("api_error") {
        return .unavailable
      }
      if word.contains("invalid_request") || word.contains("not_found") || word.contains("too_large") {
        return .badRequest
      }
      if word.contains("timeout") { return .timeout }
    }
    if let numeric = code.flatMap({ Int($0) }), (400...599).contains(numeric), status == nil {
      return classify(status: numeric, code: nil, type: nil, fallback: fallback)
    }
    guard let status else { return fallback }
    switch status {
    case 300..<400: return .config
    case 401, 402, 403: return .auth
    case 408: return .timeout
    case 409: return .unavailable
    case 429: return .rateLimited
    case 400..<500: return .badRequest
    case 500..<600: return .unavailable
    default: return fallback
    }
  }

  /// Failures that no amount of waiting fixes, though their status looks temporary.
  private static func neverRetried(status: Int?, code: String?, type: String?) -> Bool {
    if status == 402 { return true }
    for word in [code, type].compactMap({ $0?.lowercased() }) {
      if word.contains("insufficient_quota") || word.contains("billing") || word.contains("spend_limit") { return true }
    }
    return false
  }
}

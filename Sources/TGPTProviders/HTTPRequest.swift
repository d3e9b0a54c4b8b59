/// One HTTP request for the transport: what to send and the bounds to send it within.
public struct HTTPRequest: Sendable {
  public var url: String
  public var method: String
  /// Header lines in order, as (name, value).
  public var headers: [(String, String)]
  public var body: [UInt8]
  /// Seconds allowed for connecting (TCP and TLS).
  public var connectTimeout: Double
  /// Seconds without any byte from the server after which the transfer fails.
  public var idleTimeout: Double
  /// Seconds allowed for the whole transfer, or nil for no limit.
  public var totalTimeout: Double?
  /// The overall deadline the user set, which `totalTimeout` is what remains of (for messages).
  public var overallTimeout: Double?
  /// Force HTTP/1.1 (some proxies break HTTP/2 streams).
  public var http1Only: Bool
  /// A PEM bundle of CA certificates to trust instead of the system's.
  public var caFile: String?
  /// Skip TLS verification (for local test servers only).
  public var insecure: Bool

  public init(
    url: String, method: String = "POST", headers: [(String, String)] = [], body: [UInt8] = [],
    connectTimeout: Double = 10, idleTimeout: Double = 60, totalTimeout: Double? = nil, overallTimeout: Double? = nil,
    http1Only: Bool = false, caFile: String? = nil, insecure: Bool = false
  ) {
    self.overallTimeout = overallTimeout ?? totalTimeout
    self.url = url
    self.method = method
    self.headers = headers
    self.body = body
    self.connectTimeout = connectTimeout
    self.idleTimeout = idleTimeout
    self.totalTimeout = totalTimeout
    self.http1Only = http1Only
    self.caFile = caFile
    self.insecure = insecure
  }
}

/// What a transfer yields: the response head once, then body bytes as they arrive.
public enum HTTPResponsePart: Sendable {
  case head(status: Int, headers: HTTPHeaders)
  case body([UInt8])
}

/// Response headers, looked up without regard to case.
public struct HTTPHeaders: Sendable {
  public private(set) var fields: [(name: String, value: String)] = []

  public init(_ fields: [(String, String)] = []) {
    self.fields = fields.map { (name: $0.0, value: $0.1) }
  }

  mutating func append(name: String, value: String) { fields.append((name: name, value: value)) }

  /// The first value of `name`, compared case-insensitively.
  public subscript(name: String) -> String? {
    let lowered = name.lowercased()
    return fields.first { $0.name.lowercased() == lowered }?.value
  }
}

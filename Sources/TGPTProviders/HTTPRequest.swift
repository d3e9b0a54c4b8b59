/// One HTTP request for the transport: what to send and the bounds to send it within.
package struct HTTPRequest: Sendable {
  var url: String
  var method: String
  /// Header lines in order, as (name, value).
  var headers: [(String, String)]
  var body: [UInt8]
  /// Seconds to connect (TCP and TLS) and without a byte from the server.
  var limits: RunLimits
  /// When the run this transfer belongs to must be over, if it has a deadline.
  var deadline: Deadline?
  /// Force HTTP/1.1 (some proxies break HTTP/2 streams).
  var http1Only: Bool
  /// A PEM bundle of CA certificates to trust instead of the system's.
  var caFile: String?
  /// Skip TLS verification (for local test servers only).
  var insecure: Bool

  init(
    url: String, method: String = "POST", headers: [(String, String)] = [], body: [UInt8] = [],
    limits: RunLimits = RunLimits(), deadline: Deadline? = nil, http1Only: Bool = false, caFile: String? = nil,
    insecure: Bool = false
  ) {
    self.url = url
    self.method = method
    self.headers = headers
    self.body = body
    self.limits = limits
    self.deadline = deadline
    self.http1Only = http1Only
    self.caFile = caFile
    self.insecure = insecure
  }
}

/// What a transfer yields: the response head once, then body bytes as they arrive.
package enum HTTPResponsePart: Sendable {
  case head(status: Int, headers: HTTPHeaders)
  case body([UInt8])
}

/// Response headers, looked up without regard to case.
package struct HTTPHeaders: Sendable {
  package private(set) var fields: [(name: String, value: String)] = []

  package init(_ fields: [(String, String)] = []) {
    self.fields = fields.map { (name: $0.0, value: $0.1) }
  }

  mutating func append(name: String, value: String) { fields.append((name: name, value: value)) }

  /// The first value of `name`, compared case-insensitively.
  package subscript(name: String) -> String? {
    let lowered = name.lowercased()
    return fields.first { $0.name.lowercased() == lowered }?.value
  }
}

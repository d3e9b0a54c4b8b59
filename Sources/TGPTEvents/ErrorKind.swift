/// The one table that maps a failure to its process exit code and to `error.code` on the wire,
/// shared by all four programs so the stream and the exit status always agree (SPEC §4).
package enum ErrorKind: String, Sendable, CaseIterable {
  /// The provider asked us to slow down (HTTP 429). Exit 75.
  case rateLimited = "rate_limited"
  /// A connect, idle or overall deadline passed. Exit 75.
  case timeout
  /// Missing, rejected or unfunded credentials (401, 402, 403). Exit 77.
  case auth
  /// The service could not be reached or failed (connect error, 5xx, truncated stream). Exit 69.
  case unavailable
  /// The provider rejected the request as invalid (400, 404, 413, 422). Exit 65.
  case badRequest = "bad_request"
  /// Our own input was malformed (bad NDJSON line, bad message). Exit 65.
  case badInput = "bad_input"
  /// The new message alone does not fit the context window. Exit 65.
  case contextOverflow = "context_overflow"
  /// A configuration value is missing or wrong. Exit 78.
  case config
  /// The user interrupted the turn (SIGINT, or SIGTERM, which exits 143 instead). Exit 130.
  case interrupted
  /// A bug or an unexpected system failure. Exit 1.
  case `internal`
  /// The command line was wrong. Exit 64.
  case usage

  /// The process exit code for this kind.
  package var exitCode: Int32 {
    switch self {
    case .rateLimited, .timeout: 75
    case .auth: 77
    case .unavailable: 69
    case .badRequest, .badInput, .contextOverflow: 65
    case .config: 78
    case .interrupted: 130
    case .internal: 1
    case .usage: 64
    }
  }

  /// Whether trying the same request again later may succeed.
  package var isRetryable: Bool {
    switch self {
    case .rateLimited, .timeout, .unavailable: true
    default: false
    }
  }

  /// The kind an exit code stands for, for programs that relay another program's status.
  package init?(exitCode: Int32) {
    switch exitCode {
    case 75: self = .rateLimited
    case 77: self = .auth
    case 69: self = .unavailable
    case 65: self = .badInput
    case 78: self = .config
    case 130, 143: self = .interrupted
    case 1: self = .internal
    case 64: self = .usage
    default: return nil
    }
  }
}

/// Exit statuses that are not failures of a kind.
package enum ExitStatus {
  /// Success, also when the reader of our output went away.
  package static let ok: Int32 = 0
  /// Terminated by SIGTERM.
  package static let terminated: Int32 = 143
}

/// An error that knows its kind, so any program reports it with the right exit code.
package protocol KindedError: Error, CustomStringConvertible {
  var kind: ErrorKind { get }
}

extension ProtocolError: KindedError {}

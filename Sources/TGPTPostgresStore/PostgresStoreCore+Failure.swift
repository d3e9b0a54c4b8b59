import NIOCore
import NIOPosix
import PostgresNIO
import TGPTSession

/// postgres-nio's errors as the store's: one sentence naming the server and the cause.
extension PostgresStoreCore {
  /// `error` as a `StoreError`: `configuration` when the server refused who we are (user,
  /// password, database), `database` (exit 69, `unavailable`) for anything else.
  func failure(_ error: any Error, connecting: Bool) -> StoreError {
    if let error = error as? StoreError { return error }
    let endpoint = url.endpoint
    if let error = error as? PSQLError, let info = error.serverInfo {
      let state = info[.sqlState] ?? ""
      let message = info[.message] ?? "an error"
      // 28…: no such user or a wrong password; 3D000: no such database. Retrying will not help.
      if state.hasPrefix("28") || state == "3D000" {
        return .configuration("\(endpoint) refused the connection: \(message)")
      }
      let prefix = connecting ? "cannot connect to \(endpoint)" : endpoint
      return .database("\(prefix): \(message) (SQLSTATE \(state))")
    }
    let cause = Self.cause(of: error)
    if connecting { return .database("cannot connect to \(endpoint): \(cause)") }
    return .database("lost the connection to \(endpoint): \(cause)")
  }

  /// A short, readable cause: `connection refused`, `no answer within 5 s`, ….
  static func cause(of error: any Error) -> String {
    if let error = error as? PSQLError {
      switch error.code {
      case .sslUnsupported: return "the server does not offer TLS (sslmode requires it)"
      case .serverClosedConnection: return "the server closed the connection"
      case .clientClosedConnection, .poolClosed: return "the store was closed"
      default: break
      }
      if let underlying = error.underlying { return cause(of: underlying) }
      return "\(error.code)"
    }
    if let error = error as? NIOConnectionError {
      if let first = error.connectionErrors.first { return cause(of: first.error) }
      if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve \(error.host) (\(dns))" }
      return "cannot resolve \(error.host)"
    }
    if let error = error as? IOError { return Self.errnoText(error.errnoCode) ?? "\(error)" }
    if error is ChannelError, case .connectTimeout = error as? ChannelError {
      return "no answer within the connect timeout"
    }
    if let error = error as? DeadlineError { return error.description }
    if let error = error as? ConnectionClosed { return error.description }
    return "\(error)"
  }

  private static func errnoText(_ code: Int32) -> String? {
    switch code {
    case 111: "connection refused"
    case 110: "connection timed out"
    case 113: "no route to host"
    case 101: "network unreachable"
    case 104: "connection reset by the server"
    case 32: "the connection was broken"
    default: nil
    }
  }
}

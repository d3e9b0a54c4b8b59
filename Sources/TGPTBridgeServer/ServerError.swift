package import TGPTEvents

/// The error type of `TGPTBridgeServer`: what stops the server from starting.
package struct ServerError: KindedError, Sendable {
  private enum Reason: Sendable {
    case cannotListen(address: String, reason: String)
    case tlsFile(option: String, path: String, problem: String)
    case tlsMismatch(certificate: String, key: String)
    case badTokens(path: String, line: Int?, why: String)
  }

  private let reason: Reason

  private init(_ reason: Reason) { self.reason = reason }

  /// The server could not listen (the port is taken, the address is not ours): exit 69.
  static func cannotListen(address: String, reason: String) -> ServerError {
    ServerError(.cannotListen(address: address, reason: reason))
  }

  /// A file given to `option` is missing, unreadable or not what it should be: exit 78.
  static func tlsFile(_ option: String, _ path: String, _ problem: String) -> ServerError {
    ServerError(.tlsFile(option: option, path: path, problem: problem))
  }

  /// The key is not the certificate's: exit 78.
  static func tlsMismatch(certificate: String, key: String) -> ServerError {
    ServerError(.tlsMismatch(certificate: certificate, key: key))
  }

  /// The tokens file cannot be read, or a line of it is wrong: exit 78.
  static func badTokens(path: String, line: Int?, why: String) -> ServerError {
    ServerError(.badTokens(path: path, line: line, why: why))
  }

  package var kind: ErrorKind {
    switch reason {
    case .cannotListen: .unavailable
    case .tlsFile, .tlsMismatch, .badTokens: .config
    }
  }

  package var description: String {
    switch reason {
    case .cannotListen(let address, let why): "cannot listen on \(address): \(why)"
    case .tlsFile(let option, let path, let problem): "\(option) \(path): \(problem)"
    case .tlsMismatch(let certificate, let key):
      "--tls-key \(key) is not the private key of the certificate in --tls-cert \(certificate): give the key it was made with"
    case .badTokens(let path, let line, let why): "--tokens \(path)\(line.map { " line \($0)" } ?? ""): \(why)"
    }
  }
}

package import TGPTEvents

/// The error type of `TGPTSession`.
package struct StoreError: KindedError, Sendable {
  private enum Reason: Sendable {
    case invalidID(String)
    case notFound(String)
    case exists(String)
    case badImport(String)
    case database(String)
    case missing(String)
    case notAStore(String, why: String)
    case missingDirectory(String, store: String)
    case configuration(String)
  }

  private let reason: Reason

  private init(_ reason: Reason) { self.reason = reason }

  package static func invalidID(_ id: String) -> StoreError { StoreError(.invalidID(id)) }
  package static func notFound(_ id: String) -> StoreError { StoreError(.notFound(id)) }
  package static func exists(_ id: String) -> StoreError { StoreError(.exists(id)) }
  package static func badImport(_ what: String) -> StoreError { StoreError(.badImport(what)) }
  /// The database failed or could not be reached (exit 69, `unavailable`).
  package static func database(_ what: String) -> StoreError { StoreError(.database(what)) }
  /// The store's settings are wrong (a malformed URL, a refused password): exit 78, `config`.
  package static func configuration(_ what: String) -> StoreError { StoreError(.configuration(what)) }
  static func missing(_ path: String) -> StoreError { StoreError(.missing(path)) }
  static func notAStore(_ path: String, _ why: String) -> StoreError { StoreError(.notAStore(path, why: why)) }
  static func missingDirectory(_ directory: String, store: String) -> StoreError {
    StoreError(.missingDirectory(directory, store: store))
  }

  /// Whether the session asked for does not exist.
  package var isNotFound: Bool {
    if case .notFound = reason { return true }
    return false
  }

  /// How the failure maps onto the shared exit-code table.
  package var kind: ErrorKind {
    switch reason {
    case .invalidID: .usage
    case .notFound, .exists, .badImport: .badInput
    case .database: .unavailable
    case .missing, .missingDirectory, .notAStore, .configuration: .config
    }
  }

  package var description: String {
    switch reason {
    case .invalidID(let id): "invalid session id '\(id)': use \(SessionID.rule)"
    case .notFound(let id): "no session '\(id)'"
    case .exists(let id): "a session '\(id)' already exists"
    case .badImport(let what): "cannot import: \(what)"
    case .database(let what): "session store: \(what)"
    case .configuration(let what): "session store: \(what)"
    case .notAStore(let path, let why):
      "\(path) is not a session store: \(why) (check --store, TGPT_STORE or the config file's store)"
    case .missing(let path): "no session store at \(path): check --store, TGPT_STORE or the config file's store"
    case .missingDirectory(let directory, let path):
      "cannot create the session store \(path): the directory \(directory) does not exist (create it, or fix the path)"
    }
  }
}

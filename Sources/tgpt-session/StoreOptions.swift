import ArgumentParser
import TGPTCommandSupport
import TGPTEvents
import TGPTPostgresStore
import TGPTProviderOptions
import TGPTProviders
import TGPTSession

/// `--store`: where sessions live.
struct StoreOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.",
      valueName: "path|url"))
  var store: String?

  @Option(
    help: ArgumentHelp(
      "Whose sessions to use: \(PrincipalRule.text) (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.",
      valueName: "name"))
  var principal: String?

  func validate() throws {
    if let principal, !PrincipalRule.isValid(principal) {
      throw ValidationError("invalid --principal '\(principal)': use \(PrincipalRule.text)")
    }
  }

  /// `--principal`, else `$TGPT_PRINCIPAL`, else the default principal.
  func principalName() throws(ProviderError) -> String {
    if let principal { return principal }
    guard let name = ProcessEnvironment.value("TGPT_PRINCIPAL"), !name.isEmpty else { return PrincipalRule.default }
    guard PrincipalRule.isValid(name) else {
      throw .config("invalid TGPT_PRINCIPAL '\(name)': use \(PrincipalRule.text)")
    }
    return name
  }

  /// What a command does to the store.
  enum Access {
    /// Reads or changes existing sessions: a missing store is never created. At the default
    /// location that means no sessions yet; at a location the user gave, a mistake (exit 78).
    case existing
    /// Records turns or creates sessions: creates the store file, and its missing directories
    /// only at the default location.
    case create
  }

  /// The store's location: `--store`, `$TGPT_STORE`, the config file's `store`, else the
  /// data directory's `sessions.db`; `isDefault` for the last.
  func location(config: ConfigFile) throws(ProviderError) -> (path: String, isDefault: Bool) {
    if let path = store ?? ProcessEnvironment.value("TGPT_STORE") ?? config.store { return (path, false) }
    guard let directory = Self.dataDirectory else {
      throw .config("no data directory: set TGPT_HOME (or HOME, or XDG_DATA_HOME)")
    }
    return (directory + "/sessions.db", true)
  }

  /// `$TGPT_HOME`, else `$XDG_DATA_HOME/tgpt`, else `~/.local/share/tgpt` (SPEC §4).
  static var dataDirectory: String? {
    if let home = ProcessEnvironment.value("TGPT_HOME") { return home }
    if let xdg = ProcessEnvironment.value("XDG_DATA_HOME") { return xdg + "/tgpt" }
    if let home = ProcessEnvironment.value("HOME") { return home + "/.local/share/tgpt" }
    return nil
  }

  /// Opens the store; failures are reported as the toolkit's errors. Opening may wait for
  /// another process that is setting the store up: on a thread of its own.
  func open(config: ConfigFile, access: Access) async throws -> any SessionStore {
    let principal = try principalName()
    let store = try await openShared(config: config, access: access)
    return principal == store.principal ? store : store.scoped(to: principal)
  }

  /// The store as the default principal sees it.
  private func openShared(config: ConfigFile, access: Access) async throws -> any SessionStore {
    let (path, isDefault) = try location(config: config)
    if PostgresURL.isPostgres(path) {
      let store = try await PostgresSessionStore.open(PostgresURL(path, environment: ProcessEnvironment.value))
      // Closed before the process exits: the server sees each connection say goodbye.
      ExitTasks.add { await store.shutdown() }
      return store
    }
    let file = path.hasPrefix("sqlite:") ? String(path.dropFirst("sqlite:".count)) : path
    if access == .existing, isDefault, !FileIO.exists(file) { return EmptySessionStore(path: file) }
    let creation: SQLiteSessionStore.Creation =
      switch access {
      case .existing: .never
      case .create: isDefault ? .fileAndDirectories : .file
      }
    return try await DedicatedThread.run { () throws -> any SessionStore in
      try SQLiteSessionStore(path: file, creation: creation)
    }
  }
}

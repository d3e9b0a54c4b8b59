import ArgumentParser
import TGPTCommandSupport
import TGPTEvents
import TGPTProviders
import TGPTSession

struct ListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List sessions, most recently used first: id, turns, last used, model, first words.",
    discussion: """
      Examples:
        tgpt-session list -n 10
        tgpt-session list --json | jq -r 'select(.turns > 20) | .id'
      """)

  @Flag(
    help:
      "One JSON object per session (id, turns, created_at, updated_at in ms, model, provider, system, base_url when set, title)."
  )
  var json = false

  @Option(name: [.customShort("n"), .long], help: ArgumentHelp("Show at most this many sessions.", valueName: "n"))
  var limit: Int?

  @OptionGroup var storeOptions: StoreOptions

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    let sessions = try await openStore(storeOptions, .existing).list(limit: limit)
    var out = OutputBuffer()
    if json {
      for session in sessions { out.bytes(SessionExport.header(session)) }
    } else {
      SessionReports.table(sessions, into: &out)
    }
    try out.flush()
  }
}

struct ShowCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show", abstract: "Show a session's messages (readable, or --json as export NDJSON).",
    discussion: """
      Examples:
        tgpt-session show work | less
        tgpt-session show --json work | jq -r 'select(.role == "assistant") | .content' | tail -1
      """)

  @Flag(help: "The session as NDJSON, exactly as `export` writes it.")
  var json = false

  @OptionGroup var storeOptions: StoreOptions

  @Argument(help: ArgumentHelp("The session id.", valueName: "id"))
  var id: String

  func validate() throws { try validateSessionID(id) }

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    guard let export = try await openStore(storeOptions, .existing).session(id) else { throw StoreError.notFound(id) }
    var out = OutputBuffer()
    if json {
      for line in export.lines { out.bytes(line) }
    } else {
      SessionReports.transcript(export.messages, into: &out)
    }
    try out.flush()
  }
}

struct RemoveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rm", abstract: "Remove sessions (waits for a turn in progress on them to end).",
    discussion: """
      An id that does not exist is an error (exit 65) after the others are removed. With \
      --prefix, each session removed is named on stderr, then how many; finding none is not an \
      error.

      Examples:
        tgpt-session rm work scratch
        tgpt-session rm --prefix bench-
      """)

  @OptionGroup var storeOptions: StoreOptions

  @Option(help: ArgumentHelp("Also remove every session whose id starts with this.", valueName: "text"))
  var prefix: String?

  @Argument(help: ArgumentHelp("The session ids.", valueName: "id"))
  var ids: [String] = []

  func validate() throws {
    if ids.isEmpty, prefix == nil { throw ValidationError("give the ids of the sessions to remove, or --prefix") }
    if prefix == "" { throw ValidationError("--prefix '' would remove every session; give at least one character") }
    for id in ids { try validateSessionID(id) }
  }

  func run() async throws {
    let store = try await openStore(storeOptions, .existing)
    var failure: StoreError?
    var targets = ids
    var matched: Set<String> = []
    if let prefix {
      matched = Set(try await store.ids(withPrefix: prefix).filter { !ids.contains($0) })
      targets += matched.sorted()
    }
    var removed = 0
    for id in targets {
      do {
        let lock = try await store.lockTurns(of: id)
        defer { withExtendedLifetime(lock) {} }
        try await store.remove(id)
        removed += 1
        if matched.contains(id) { Diagnostics.note("removed \(id)") }
      } catch let error as StoreError where error.isNotFound && matched.contains(id) {
        // Removed meanwhile by someone else: what --prefix asked for holds.
        continue
      } catch let error as StoreError {
        Diagnostics.error(error.description)
        failure = failure ?? error
      }
    }
    if let prefix { Diagnostics.note("removed \(removed) session\(removed == 1 ? "" : "s") (--prefix '\(prefix)')") }
    if let failure { throw ExitCode(failure.kind.exitCode) }
  }
}

struct RenameCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rename", abstract: "Rename a session (waits for a turn in progress on it to end).")

  @OptionGroup var storeOptions: StoreOptions

  @Argument(help: ArgumentHelp("The session's id.", valueName: "old"))
  var old: String

  @Argument(help: ArgumentHelp("Its new id.", valueName: "new"))
  var new: String

  func validate() throws {
    try validateSessionID(old)
    try validateSessionID(new)
    if old == new { throw ValidationError("the old and the new id are the same: '\(old)'") }
  }

  func run() async throws {
    let store = try await openStore(storeOptions, .existing)
    // Both ids: a turn on either must not run while the session changes its name. Taken in
    // one order everywhere, so two renames cannot wait for each other.
    let first = try await store.lockTurns(of: min(old, new))
    let second = try await store.lockTurns(of: max(old, new))
    defer { withExtendedLifetime((first, second)) {} }
    try await store.rename(old, to: new)
  }
}

struct SetCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "set",
    abstract:
      "Change what a session remembers (model, provider, system prompt; creates the session if new), or with --default the config file's defaults.",
    discussion: """
      Flags given to a turn still win for that turn. --system '' removes the system prompt, \
      --base-url '' the base URL; --provider without --base-url forgets the old provider's base \
      URL, so a key is never sent to a server named for another provider.

      --default writes the top-level model, provider or system of the config file \
      ($TGPT_CONFIG, else $XDG_CONFIG_HOME/tgpt/config.toml, else ~/.config/tgpt/config.toml; \
      created if missing), which tgpt-stream and new sessions use; the rest of the file is kept \
      as it is, and '' removes a key. The top-level model goes to the default provider.

      Examples:
        tgpt-session set work --model anthropic/claude-sonnet-4
        tgpt-session set --default --model openai/gpt-4o
      """)

  @Flag(
    name: .customLong("default"),
    help: "Change the defaults in the config file (for tgpt-stream and new sessions) instead of a session.")
  var defaults = false

  @Option(name: [.short, .long], help: ArgumentHelp("The model id.", valueName: "id"))
  var model: String?

  @Option(help: ArgumentHelp("The provider: openrouter, openai, anthropic, compatible, echo.", valueName: "name"))
  var provider: String?

  @Option(help: ArgumentHelp("The system prompt.", valueName: "text"))
  var system: String?

  @Option(help: ArgumentHelp("The provider's base URL (a compatible server's).", valueName: "url"))
  var baseURL: String?

  @OptionGroup var storeOptions: StoreOptions

  @Argument(help: ArgumentHelp("The session id (none with --default).", valueName: "id"))
  var id: String?

  func validate() throws {
    if defaults {
      try validateDefaults()
    } else {
      guard let id else { throw ValidationError("give the session id, or --default to change the config file") }
      try validateSessionID(id)
    }
    if defaults, baseURL != nil {
      throw ValidationError("--base-url belongs to a session or a profile, not to the defaults")
    }
    if model == nil, provider == nil, system == nil, baseURL == nil {
      throw ValidationError("give at least one of --model, --provider, --system, --base-url")
    }
    if let provider, !(defaults && provider.isEmpty), ProviderKind(rawValue: provider) == nil {
      let known = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
      throw ValidationError("unknown provider '\(provider)' (known: \(known))")
    }
  }

  func run() async throws {
    guard let id, !defaults else { return try await writeDefaults() }
    let settings = SessionSettings(model: model, provider: provider, system: system, baseURL: baseURL)
    try await openStore(storeOptions, .create).update(id, settings: settings, now: WallClock.milliseconds())
  }
}

struct CheckCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check the store's consistency (SQLite integrity, the full-text index, turn counts); exit 65 if unsound.")

  @OptionGroup var storeOptions: StoreOptions

  func run() async throws {
    let problems = try await openStore(storeOptions, .existing).check()
    for problem in problems { Diagnostics.error(problem) }
    if !problems.isEmpty { throw ExitCode(ErrorKind.badInput.exitCode) }
  }
}

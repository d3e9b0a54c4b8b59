import TGPTCommandSupport
import TGPTEvents
package import TGPTProviders

#if canImport(Glibc)
  import Glibc
#endif

/// `$XDG_CONFIG_HOME/tgpt/config.toml` (or `$TGPT_CONFIG`): defaults below flags and the
/// environment (SPEC §4).
///
/// ```toml
/// provider = "openrouter"          # the default provider
/// model = "openai/gpt-4o-mini"     # top-level settings apply to that provider
/// api_key_cmd = "pass show openrouter"
/// system = "Answer briefly."
/// retries = 3
/// idle_timeout = 60
/// context_tokens = 32000           # tgpt-session: the context window when the model is unknown
/// store = "/srv/tgpt/sessions.db"  # tgpt-session: the session store
/// cache = "1h"                      # tgpt-session: reuse complete answers this long (--cache)
///
/// [providers.ollama-like]          # any provider by name: openai, anthropic, compatible, …
/// base_url = "http://127.0.0.1:11434/v1"
///
/// [profiles.local]                 # chosen with --profile local or TGPT_PROFILE=local
/// base_url = "http://127.0.0.1:11434/v1"
/// model = "llama3.2"
///
/// tools = ["clock", "weather"]      # tgpt-session: tools/NAME.json beside this file
///
/// [mcp.time]                        # tgpt-session: an MCP server whose tools are offered
/// command = ["uvx", "mcp-server-time"]
/// ```
package struct ConfigFile: Sendable {
  /// Settings for one provider.
  package struct ProviderSection: Sendable {
    package var model: String?
    package var baseURL: String?
    package var apiKeyCmd: String?
    package var maxTokensField: String?
  }

  /// The file it came from, if any.
  package var path: String?
  package var provider: String?
  package var system: String?
  package var temperature: Double?
  package var maxTokens: Int?
  package var retries: Int?
  package var connectTimeout: Double?
  package var idleTimeout: Double?
  package var timeout: Double?
  package var appURL: String?
  package var appTitle: String?
  /// tgpt-session: the context window, for models the built-in table does not know.
  package var contextTokens: Int?
  /// tgpt-session: the session store.
  package var store: String?
  /// tgpt-session: how long complete answers are reused, in seconds (`cache = "1h"`); 0: off.
  package var cacheSeconds: Int?
  /// Keys the file has that nothing reads (typos, or settings of a newer version).
  package var warnings: [String] = []
  /// Top-level model/base URL/key command: they apply to the provider named by `provider`.
  package var defaults = ProviderSection()
  /// `[providers.NAME]` sections.
  package var providers: [String: ProviderSection] = [:]
  /// `[profiles.NAME]` tables (see `Profile`).
  package var profiles: [String: Profile] = [:]
  /// `tools = [...]`: executable tools enabled by name (tgpt-session).
  package var tools: [String] = []
  /// `[mcp.NAME] command = [...]`: MCP servers whose tools are offered (tgpt-session), by name.
  package var mcpServers: [(name: String, command: [String])] = []

  package init() {}

  /// Where the file is looked for: `$TGPT_CONFIG`, else `$XDG_CONFIG_HOME/tgpt/config.toml`,
  /// else `~/.config/tgpt/config.toml`.
  package static var defaultPath: String? {
    if let explicit = ProcessEnvironment.value("TGPT_CONFIG") { return explicit }
    if let xdg = ProcessEnvironment.value("XDG_CONFIG_HOME") { return xdg + "/tgpt/config.toml" }
    if let home = ProcessEnvironment.value("HOME") { return home + "/.config/tgpt/config.toml" }
    return nil
  }

  /// Loads the file at `path`; a missing file is an empty configuration, a malformed one a
  /// `config` error naming the file.
  package static func load(path: String?) throws(ProviderError) -> ConfigFile {
    guard let path, let text = readFile(path) else { return ConfigFile() }
    let table: JSONObject
    do {
      table = try TOMLReader.parse(text)
    } catch {
      throw .config("\(path): \(error.description)")
    }
    var reader = TableReader(path: path, table: table)
    var config = ConfigFile()
    config.path = path
    config.provider = try reader.string("provider")
    config.system = try reader.string("system")
    config.temperature = try reader.number("temperature", in: 0...10)
    config.maxTokens = try reader.integer("max_tokens", in: 1...10_000_000)
    config.retries = try reader.integer("retries", in: 0...100)
    config.connectTimeout = try reader.number("connect_timeout", in: 0.001...1_000_000)
    config.idleTimeout = try reader.number("idle_timeout", in: 0.001...1_000_000)
    config.timeout = try reader.number("timeout", in: 0.001...1_000_000)
    config.appURL = try reader.string("app_url")
    config.appTitle = try reader.string("app_title")
    config.contextTokens = try reader.integer("context_tokens", in: 256...100_000_000)
    config.store = try reader.string("store")
    if let cache = try reader.string("cache") {
      guard let seconds = TTL.seconds(cache) else {
        throw .config("\(path): cache must be a duration: \(TTL.rule), not '\(cache)'")
      }
      config.cacheSeconds = seconds
    }
    config.defaults = try section(&reader)
    if let providers = try reader.table("providers") {
      for provider in providers {
        guard let sub = provider.value.objectValue else {
          throw .config("\(path): providers.\(provider.key) must be a table")
        }
        var subReader = TableReader(path: path, table: sub, prefix: "providers.\(provider.key).")
        config.providers[provider.key] = try section(&subReader)
        config.warnings += subReader.unknownKeys()
      }
    }
    config.profiles = try profiles(&reader, path: path, warnings: &config.warnings)
    config.tools = try reader.strings("tools") ?? []
    config.mcpServers = try mcpServers(&reader, path: path, warnings: &config.warnings)
    config.warnings += reader.unknownKeys()
    return config
  }

  /// The provider that the top-level model, base URL and key command are for: `provider`,
  /// else OpenRouter.
  package var defaultProvider: ProviderKind { Self.defaultProvider(named: provider) }

  /// The provider called `name` (in any case, as the resolver reads it), else OpenRouter.
  static func defaultProvider(named name: String?) -> ProviderKind {
    name.flatMap { ProviderKind(rawValue: $0.lowercased()) } ?? .openrouter
  }

  /// The section for `kind`: its own table, with the top-level values filling gaps when `kind`
  /// is the configured default provider.
  package func section(for kind: ProviderKind) -> ProviderSection {
    var result = providers[kind.rawValue] ?? ProviderSection()
    guard kind == defaultProvider else { return result }
    result.model = result.model ?? defaults.model
    result.baseURL = result.baseURL ?? defaults.baseURL
    result.apiKeyCmd = result.apiKeyCmd ?? defaults.apiKeyCmd
    result.maxTokensField = result.maxTokensField ?? defaults.maxTokensField
    return result
  }

  private static func section(_ reader: inout TableReader) throws(ProviderError) -> ProviderSection {
    ProviderSection(
      model: try reader.string("model"), baseURL: try reader.string("base_url"),
      apiKeyCmd: try reader.string("api_key_cmd"), maxTokensField: try reader.string("max_tokens_field"))
  }

  private static func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    guard let bytes = try? FileIO.readAll(fd) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// Reads typed values out of a TOML table, failing on a wrong type or range and remembering
/// which keys were read, so unknown ones can be reported.
struct TableReader {
  let path: String
  let table: JSONObject
  var prefix = ""
  private var read: Set<String> = []

  init(path: String, table: JSONObject, prefix: String = "") {
    self.path = path
    self.table = table
    self.prefix = prefix
  }

  private func wrong(_ key: String, _ expected: String) -> ProviderError {
    .config("\(path): \(prefix)\(key) must be \(expected)")
  }

  mutating func string(_ key: String) throws(ProviderError) -> String? {
    read.insert(key)
    guard let value = table[key] else { return nil }
    guard let text = value.stringValue else { throw wrong(key, "a string") }
    return text
  }

  mutating func number(_ key: String, in range: ClosedRange<Double>) throws(ProviderError) -> Double? {
    read.insert(key)
    guard let value = table[key] else { return nil }
    guard let number = value.doubleValue, range.contains(number) else {
      throw wrong(key, "a number from \(range.lowerBound) to \(range.upperBound)")
    }
    return number
  }

  mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ProviderError) -> Int? {
    read.insert(key)
    guard let value = table[key] else { return nil }
    guard let number = value.intValue, range.contains(number) else {
      throw wrong(key, "a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    return number
  }

  mutating func table(_ key: String) throws(ProviderError) -> JSONObject? {
    read.insert(key)
    guard let value = table[key] else { return nil }
    guard let object = value.objectValue else { throw wrong(key, "a table") }
    return object
  }

  mutating func strings(_ key: String) throws(ProviderError) -> [String]? {
    read.insert(key)
    guard let value = table[key] else { return nil }
    guard let items = value.arrayValue else { throw wrong(key, "an array of strings") }
    var strings: [String] = []
    for item in items {
      guard let text = item.stringValue else { throw wrong(key, "an array of strings") }
      strings.append(text)
    }
    return strings
  }

  func unknownKeys() -> [String] {
    table.keys.filter { !read.contains($0) }.map { "\(path): unknown key '\(prefix)\($0)' (ignored)" }
  }
}

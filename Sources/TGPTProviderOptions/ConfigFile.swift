import TGPTCommandSupport
import TGPTEvents
import TGPTProviders

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
///
/// [providers.ollama-like]          # any provider by name: openai, anthropic, compatible, …
/// base_url = "http://127.0.0.1:11434/v1"
/// ```
public struct ConfigFile: Sendable {
  /// Settings for one provider.
  public struct ProviderSection: Sendable {
    public var model: String?
    public var baseURL: String?
    public var apiKeyCmd: String?
    public var maxTokensField: String?
  }

  /// The file it came from, if any.
  public var path: String?
  public var provider: String?
  public var system: String?
  public var temperature: Double?
  public var maxTokens: Int?
  public var retries: Int?
  public var connectTimeout: Double?
  public var idleTimeout: Double?
  public var timeout: Double?
  public var appURL: String?
  public var appTitle: String?
  /// Top-level model/base URL/key command: they apply to the provider named by `provider`.
  public var defaults = ProviderSection()
  /// `[providers.NAME]` sections.
  public var providers: [String: ProviderSection] = [:]

  public init() {}

  /// Where the file is looked for: `$TGPT_CONFIG`, else `$XDG_CONFIG_HOME/tgpt/config.toml`,
  /// else `~/.config/tgpt/config.toml`.
  public static var defaultPath: String? {
    if let explicit = ProcessEnvironment.value("TGPT_CONFIG") { return explicit }
    if let xdg = ProcessEnvironment.value("XDG_CONFIG_HOME") { return xdg + "/tgpt/config.toml" }
    if let home = ProcessEnvironment.value("HOME") { return home + "/.config/tgpt/config.toml" }
    return nil
  }

  /// Loads the file at `path`; a missing file is an empty configuration, a malformed one a
  /// `config` error naming the file.
  public static func load(path: String?) throws(ProviderError) -> ConfigFile {
    guard let path, let text = readFile(path) else { return ConfigFile() }
    let table: JSONObject
    do {
      table = try TOMLReader.parse(text)
    } catch {
      throw .config("\(path): \(error.description)")
    }
    var config = ConfigFile()
    config.path = path
    config.provider = table["provider"]?.stringValue
    config.system = table["system"]?.stringValue
    config.temperature = table["temperature"]?.doubleValue
    config.maxTokens = table["max_tokens"]?.intValue
    config.retries = table["retries"]?.intValue
    config.connectTimeout = table["connect_timeout"]?.doubleValue
    config.idleTimeout = table["idle_timeout"]?.doubleValue
    config.timeout = table["timeout"]?.doubleValue
    config.appURL = table["app_url"]?.stringValue
    config.appTitle = table["app_title"]?.stringValue
    config.defaults = section(table)
    for provider in table["providers"]?.objectValue ?? JSONObject() {
      if let sub = provider.value.objectValue { config.providers[provider.key] = section(sub) }
    }
    return config
  }

  /// The section for `kind`: its own table, with the top-level values filling gaps when `kind`
  /// is the configured default provider.
  public func section(for kind: ProviderKind) -> ProviderSection {
    var result = providers[kind.rawValue] ?? ProviderSection()
    let defaultKind = provider.flatMap(ProviderKind.init(rawValue:)) ?? .openrouter
    guard kind == defaultKind else { return result }
    result.model = result.model ?? defaults.model
    result.baseURL = result.baseURL ?? defaults.baseURL
    result.apiKeyCmd = result.apiKeyCmd ?? defaults.apiKeyCmd
    result.maxTokensField = result.maxTokensField ?? defaults.maxTokensField
    return result
  }

  private static func section(_ table: JSONObject) -> ProviderSection {
    ProviderSection(
      model: table["model"]?.stringValue, baseURL: table["base_url"]?.stringValue,
      apiKeyCmd: table["api_key_cmd"]?.stringValue, maxTokensField: table["max_tokens_field"]?.stringValue)
  }

  private static func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    guard let bytes = try? FileIO.readAll(fd) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }
}

import TGPTEvents
package import TGPTProviders

extension ConfigFile {
  /// A `[profiles.NAME]` table: settings chosen together by name (`--profile NAME` or
  /// `TGPT_PROFILE`), like a saved set of flags. A profile sits below the flags given and above
  /// the environment and the rest of the config file.
  ///
  /// ```toml
  /// [profiles.haiku]
  /// provider = "anthropic"
  /// model = "claude-haiku-4-5"
  /// system = "Answer in a haiku."
  /// temperature = 0.9
  /// ```
  package struct Profile: Sendable, Equatable {
    package var provider: String?
    package var model: String?
    package var baseURL: String?
    package var apiKeyCmd: String?
    package var maxTokensField: String?
    package var system: String?
    package var temperature: Double?
    package var maxTokens: Int?

    package init(
      provider: String? = nil, model: String? = nil, baseURL: String? = nil, apiKeyCmd: String? = nil,
      maxTokensField: String? = nil, system: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil
    ) {
      self.provider = provider
      self.model = model
      self.baseURL = baseURL
      self.apiKeyCmd = apiKeyCmd
      self.maxTokensField = maxTokensField
      self.system = system
      self.temperature = temperature
      self.maxTokens = maxTokens
    }
  }

  /// The profile called `name`; a name the file does not define is a `config` error that lists
  /// the ones it does.
  package func profile(named name: String) throws(ProviderError) -> Profile {
    if let profile = profiles[name] { return profile }
    let file = path ?? ConfigFile.defaultPath ?? "the config file"
    let known = profiles.keys.sorted()
    let listed = known.isEmpty ? "it defines none" : "known: \(known.joined(separator: ", "))"
    throw .config("unknown profile '\(name)': \(file) has no [profiles.\(name)] table (\(listed))")
  }

  static func profiles(
    _ reader: inout TableReader, path: String, warnings: inout [String]
  ) throws(ProviderError) -> [String: Profile] {
    guard let tables = try reader.table("profiles") else { return [:] }
    var profiles: [String: Profile] = [:]
    for (name, value) in tables {
      guard let table = value.objectValue else { throw .config("\(path): profiles.\(name) must be a table") }
      var sub = TableReader(path: path, table: table, prefix: "profiles.\(name).")
      profiles[name] = Profile(
        provider: try sub.string("provider"), model: try sub.string("model"), baseURL: try sub.string("base_url"),
        apiKeyCmd: try sub.string("api_key_cmd"), maxTokensField: try sub.string("max_tokens_field"),
        system: try sub.string("system"), temperature: try sub.number("temperature", in: 0...10),
        maxTokens: try sub.integer("max_tokens", in: 1...10_000_000))
      warnings += sub.unknownKeys()
    }
    return profiles
  }
}

package import Logging
import TGPTCommandSupport
package import TGPTEvents
package import TGPTProviders

/// Flags, the chosen profile, environment, config file and defaults, merged in that order of
/// precedence. A profile is chosen on the command line (or by `TGPT_PROFILE`) for this run, so
/// it wins over variables left in the environment.
package struct ResolvedProvider: Sendable {
  package var settings: ProviderSettings
  package var model: String?
  package var retry: RetryPolicy
  package var limits: RunLimits
  /// The configured system prompt (flags given to a command override it).
  package var system: String?
  package var temperature: Double?
  package var maxTokens: Int?
  /// `--param` fields.
  package var extra: JSONObject

  /// Resolves everything except the key, which `provider()` fetches (running `api_key_cmd`
  /// only when needed).
  package init(
    provider flags: ProviderOptions, transport: TransportOptions, generation flagGeneration: GenerationOptions,
    config: ConfigFile
  ) throws(ProviderError) {
    // The profile's values count as flags the user did not type.
    let profile = try flags.chosenProfile(in: config)
    let options = try profile.map { profile throws(ProviderError) in try flags.applying(profile) } ?? flags
    let generation = profile.map(flagGeneration.applying) ?? flagGeneration
    // The highest level that names a provider or a base URL decides the provider: a base URL
    // without a provider means an OpenAI-compatible server, so no hosted service's key is sent
    // to a server the user named for something else.
    let environmentBase = ProcessEnvironment.value("TGPT_BASE_URL")
    let kind: ProviderKind
    if let flag = options.provider {
      kind = flag
    } else if options.baseURL != nil {
      kind = .compatible
    } else if let name = ProcessEnvironment.value("TGPT_PROVIDER") {
      kind = try Self.kind(named: name)
    } else if environmentBase != nil {
      kind = .compatible
    } else if let name = config.provider {
      kind = try Self.kind(named: name)
    } else {
      kind = .openrouter
    }
    let baseFromFlagsOrEnv = options.baseURL ?? environmentBase
    let section = config.section(for: kind)
    var settings = ProviderSettings(kind: kind)
    settings.baseURL =
      baseFromFlagsOrEnv ?? (kind == .openai ? ProcessEnvironment.value("OPENAI_BASE_URL") : nil) ?? section.baseURL
    settings.headers = options.headers.compactMap(ProviderOptions.parseHeader)
    settings.maxTokensField = options.maxTokensField ?? section.maxTokensField
    settings.appURL = options.appURL ?? ProcessEnvironment.value("TGPT_APP_URL") ?? config.appURL
    settings.appTitle = options.appTitle ?? ProcessEnvironment.value("TGPT_APP_TITLE") ?? config.appTitle ?? "tgpt"
    settings.http1Only = options.http1Only
    settings.caFile = options.cacert
    settings.insecure = options.insecure
    settings.echoDelayMs = options.echoDelayMs
    self.settings = settings
    keyCommandFlag = options.apiKeyCmd
    keyCommand = ProcessEnvironment.value("TGPT_API_KEY_CMD") ?? section.apiKeyCmd

    model = options.model ?? ProcessEnvironment.value("TGPT_MODEL") ?? section.model ?? kind.defaultModel
    retry = RetryPolicy(retries: transport.retries ?? config.retries ?? 3)
    limits = RunLimits(
      connectTimeout: transport.connectTimeout ?? config.connectTimeout ?? 10,
      idleTimeout: transport.idleTimeout ?? config.idleTimeout ?? 60,
      totalTimeout: transport.timeout ?? config.timeout)
    system = profile?.system ?? config.system
    temperature = generation.temperature ?? config.temperature
    maxTokens = generation.maxTokens ?? config.maxTokens
    extra = JSONObject()
    for param in generation.params {
      guard let equals = param.firstIndex(of: "=") else { continue }
      let key = String(param[..<equals])
      let text = String(param[param.index(after: equals)...])
      extra[key] = (try? JSON.parse(text)) ?? .string(text)
    }
  }

  /// The provider called `name`, in any case; `what` names where it was read, for the error.
  static func kind(named name: String, what: String = "provider") throws(ProviderError) -> ProviderKind {
    guard let kind = ProviderKind(rawValue: name.lowercased()) else {
      let known = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
      throw .config("unknown \(what) '\(name)' (known: \(known))")
    }
    return kind
  }

  private let keyCommandFlag: String?
  private let keyCommand: String?

  /// The provider, with its key from `--api-key-cmd`, else the provider's own variable, else
  /// the configured key command. Each provider reads only its own variable. Its diagnostics go
  /// to `logger`.
  package func provider(logger: Logger) async throws(ProviderError) -> Provider {
    var settings = settings
    if settings.kind != .echo {
      if let command = keyCommandFlag {
        settings.apiKey = try await Self.runKeyCommand(command)
      } else if let variable = settings.kind.keyVariable, let key = ProcessEnvironment.value(variable) {
        settings.apiKey = key
      } else if let command = keyCommand {
        settings.apiKey = try await Self.runKeyCommand(command)
      }
    }
    return try Provider(settings: settings, logger: logger)
  }

  /// The first line of the command's output (`pass` prints metadata after it); a key with
  /// control characters in it is refused rather than sent.
  private static func runKeyCommand(_ command: String) async throws(ProviderError) -> String {
    let (output, status) = await ShellCommand.capture(command)
    guard let output else { throw .config("the API key command failed (exit \(status)): \(command)") }
    let key = output.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    let trimmed = key.trimmingCharacters
    guard !trimmed.isEmpty else { throw .config("the API key command printed nothing: \(command)") }
    guard trimmed.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
      throw .config("the API key command printed control characters: \(command)")
    }
    return trimmed
  }
}

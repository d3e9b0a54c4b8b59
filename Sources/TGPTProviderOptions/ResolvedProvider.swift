import TGPTCommandSupport
import TGPTEvents
import TGPTProviders

/// Flags, environment, config file and defaults, merged in that order of precedence (SPEC §4).
public struct ResolvedProvider: Sendable {
  public var settings: ProviderSettings
  public var model: String?
  public var retry: RetryPolicy
  public var limits: RunLimits
  /// The configured system prompt (flags given to a command override it).
  public var system: String?
  public var temperature: Double?
  public var maxTokens: Int?
  /// `--param` fields.
  public var extra: JSONObject

  /// Resolves everything except the key, which `provider()` fetches (running `api_key_cmd`
  /// only when needed).
  public init(
    provider options: ProviderOptions, transport: TransportOptions, generation: GenerationOptions,
    config: ConfigFile
  ) throws(ProviderError) {
    let baseFromFlagsOrEnv = options.baseURL ?? ProcessEnvironment.value("TGPT_BASE_URL")
    let kindName = options.provider?.rawValue ?? ProcessEnvironment.value("TGPT_PROVIDER") ?? config.provider
    let kind: ProviderKind
    if let kindName {
      guard let named = ProviderKind(rawValue: kindName.lowercased()) else {
        let known = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
        throw .config("unknown provider '\(kindName)' (known: \(known))")
      }
      kind = named
    } else {
      kind = baseFromFlagsOrEnv == nil ? .openrouter : .compatible
    }
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
    keyCommand = options.apiKeyCmd ?? ProcessEnvironment.value("TGPT_API_KEY_CMD") ?? section.apiKeyCmd

    model = options.model ?? ProcessEnvironment.value("TGPT_MODEL") ?? section.model ?? kind.defaultModel
    retry = RetryPolicy(retries: transport.retries ?? config.retries ?? 3)
    limits = RunLimits(
      connectTimeout: transport.connectTimeout ?? config.connectTimeout ?? 10,
      idleTimeout: transport.idleTimeout ?? config.idleTimeout ?? 60,
      totalTimeout: transport.timeout ?? config.timeout)
    system = config.system
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

  private let keyCommand: String?

  /// The provider, with its key from the environment or, failing that, the key command.
  public func provider() throws(ProviderError) -> Provider {
    var settings = settings
    if let variable = settings.kind.keyVariable {
      settings.apiKey = ProcessEnvironment.value(variable)
      if settings.apiKey == nil, settings.kind != .compatible {
        settings.apiKey = ProcessEnvironment.value("TGPT_API_KEY")
      }
    }
    if settings.apiKey == nil, settings.kind != .echo, let keyCommand {
      let (output, status) = ShellCommand.capture(keyCommand)
      guard let output, !output.isEmpty else {
        throw .config("the API key command failed (exit \(status)): \(keyCommand)")
      }
      settings.apiKey = output
    }
    return try Provider(settings: settings)
  }
}

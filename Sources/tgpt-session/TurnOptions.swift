import ArgumentParser
import Logging
import TGPTCommandSupport
import TGPTEvents
import TGPTOrchestrator
import TGPTProviderOptions
import TGPTProviders
import TGPTSession

/// What every turn needs: the provider flags of tgpt-stream, the context and the store.
struct TurnOptions: ParsableArguments {
  @OptionGroup var providerOptions: ProviderOptions

  @Option(
    help: ArgumentHelp(
      "The system prompt; a new session remembers it (an empty one clears it for this turn).", valueName: "text"))
  var system: String?

  @OptionGroup var generation: GenerationOptions
  @OptionGroup var transport: TransportOptions

  @Option(
    help: ArgumentHelp(
      "The model's context window in tokens (default: a built-in table of common models, else config context_tokens, else 8192).",
      valueName: "n"))
  var contextTokens: Int?

  @Flag(help: "Send failed and interrupted answers as context too (normally left out).")
  var includeFailed = false

  @OptionGroup var storeOptions: StoreOptions

  @OptionGroup(title: "Response cache") var cacheOptions: CacheOptions

  @OptionGroup(title: "Tools") var toolOptions: ToolOptions

  @Option(
    help: ArgumentHelp(
      "Log level on stderr: trace, debug, info, notice, warning, error. Env: TGPT_LOG.", valueName: "level"))
  var logLevel: Logger.Level?

  func validate() throws {
    if let contextTokens, contextTokens < 256 { throw ValidationError("--context-tokens must be at least 256") }
  }

  /// The options given that only a provider run here uses, by their flags: with `chat
  /// --api-url` the server decides them.
  var providerSideOptions: [String] {
    let provider = providerOptions
    let given: [(String, Bool)] = [
      ("--profile", provider.profile != nil), ("--provider", provider.provider != nil),
      ("--base-url", provider.baseURL != nil),
      ("--api-key-cmd", provider.apiKeyCmd != nil), ("--max-tokens-field", provider.maxTokensField != nil),
      ("--app-url", provider.appURL != nil), ("--app-title", provider.appTitle != nil),
      ("--http1.1", provider.http1Only), ("--echo-delay-ms", provider.echoDelayMs != 0),
      ("--temperature", generation.temperature != nil), ("--max-tokens", generation.maxTokens != nil),
      ("--param", !generation.params.isEmpty),
      ("--timeout", transport.timeout != nil), ("--context-tokens", contextTokens != nil),
      ("--include-failed", includeFailed), ("--store", storeOptions.store != nil),
      ("--cache", cacheOptions.cache != nil),
    ]
    return given.filter(\.1).map(\.0) + toolOptions.givenFlags
  }

  /// The settings the flags ask for, with the chosen profile's (from `config`; nil: none) where
  /// no flag says otherwise; they win over a session's remembered ones. A base URL without a
  /// provider means an OpenAI-compatible server, as in tgpt-stream.
  func flagSettings(config: ConfigFile?) throws(ProviderError) -> SessionSettings {
    var options = providerOptions
    var profileSystem: String?
    if let config, let profile = try providerOptions.chosenProfile(in: config) {
      options = try options.applying(profile)
      profileSystem = profile.system
    }
    let provider = options.provider ?? (options.baseURL != nil ? .compatible : nil)
    return SessionSettings(
      model: options.model, provider: provider?.rawValue, system: system ?? profileSystem, baseURL: options.baseURL)
  }

  /// The provider for a turn's settings (and the flags they amount to), without its key.
  func resolve(_ settings: SessionSettings, config: ConfigFile) throws(ProviderError) -> (
    ResolvedProvider, ProviderOptions
  ) {
    var flags = providerOptions
    if let name = settings.provider {
      guard let kind = ProviderKind(rawValue: name) else {
        throw ProviderError.config("the session's provider '\(name)' is unknown; choose one with --provider")
      }
      flags.provider = kind
    }
    if let model = settings.model { flags.model = model }
    if let baseURL = settings.baseURL { flags.baseURL = baseURL }
    let resolved = try ResolvedProvider(provider: flags, transport: transport, generation: generation, config: config)
    return (resolved, flags)
  }

  /// What a turn with `settings` would use, filled in from the environment, config file and
  /// defaults; nil when they do not resolve. Runs no key command.
  func described(_ settings: SessionSettings, config: ConfigFile) -> SessionSettings? {
    guard let (resolved, _) = try? resolve(settings, config: config) else { return nil }
    let system = settings.system ?? resolved.system
    return SessionSettings(
      model: resolved.model, provider: resolved.settings.kind.rawValue, system: system?.isEmpty == true ? nil : system,
      baseURL: resolved.settings.baseURL)
  }

  /// The turn runner over `store`, resolving the provider for each turn's settings (flags,
  /// then the session's, then environment, config file and defaults), offering `tools`. With
  /// `output`, a turn whose events nobody will read from it any more is not begun.
  func makeRunner(store: any SessionStore, config: ConfigFile, tools: TurnTools? = nil, output: Int32? = nil)
    -> TurnRunner
  {
    let providers = ProviderCache()
    let options = self
    let cacheSeconds = cacheOptions.seconds(config: config)
    let opener = CacheOpener()
    let outputGone: @Sendable () -> Bool = { output.map(FileIO.readerGone) ?? false }
    return TurnRunner(store: store, logger: Logger(label: "tgpt.session"), outputGone: outputGone) { settings in
      let (resolved, flags) = try options.resolve(settings, config: config)
      var request = ChatRequest(messages: [])
      request.model = resolved.model
      let system = settings.system ?? resolved.system
      request.system = system?.isEmpty == true ? nil : system
      request.temperature = resolved.temperature
      request.maxTokens = resolved.maxTokens
      request.extra = resolved.extra
      let provider = try await providers.provider(for: resolved)
      let runner = CompletionRunner(provider: provider, retry: resolved.retry, limits: resolved.limits)
      let window =
        options.contextTokens ?? (ModelContext.knownTokens(for: resolved.model) == nil ? config.contextTokens : nil)
      // Only a base URL the user named for this session (flag, profile, TGPT_BASE_URL) is
      // remembered; one from the config file stays the config file's to change.
      let named = flags.baseURL ?? ProcessEnvironment.value("TGPT_BASE_URL")
      var cache: TurnCache?
      if let cacheSeconds, let opened = await opener.cache() {
        cache = TurnCache(cache: opened, ttlSeconds: cacheSeconds)
      }
      return TurnSetup(
        runner: runner, request: request, providerName: resolved.settings.kind.rawValue, contextTokens: window,
        baseURL: named, tools: tools, cache: cache)
    }
  }
}

/// Providers by kind, so a key command (`pass show …`) runs once per process, not per turn:
/// turns that start together wait for the one run in progress. A failed run is forgotten, so
/// a later turn tries again (a password agent unlocked meanwhile, say).
private final class ProviderCache: Sendable {
  private let providers = Guarded<[ProviderKind: Task<Result<Provider, ProviderError>, Never>]>([:])

  func provider(for resolved: ResolvedProvider) async throws(ProviderError) -> Provider {
    let kind = resolved.settings.kind
    let resolving = providers.withLock { providers in
      if let running = providers[kind] { return running }
      let started = Task { () async -> Result<Provider, ProviderError> in
        do throws(ProviderError) {
          return .success(try await resolved.provider(logger: Logger(label: "tgpt.providers")))
        } catch { return .failure(error) }
      }
      providers[kind] = started
      return started
    }
    let result = await resolving.value
    if case .failure = result {
      providers.withLock { if $0[kind] == resolving { $0[kind] = nil } }
    }
    return try result.get()
  }
}

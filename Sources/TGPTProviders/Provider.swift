package import Logging

/// A configured provider, ready to be asked.
package struct Provider: Sendable {
  package let kind: ProviderKind
  /// Where the provider layer's diagnostics go (never headers or bodies: they carry keys and
  /// prompts).
  package let logger: Logger
  /// The base URL in use (nil for echo).
  package let baseURL: String?
  let upstream: any Upstream

  /// Checks the settings and builds the provider. Fails with `auth` when a hosted service's key
  /// is missing (naming the variable to set) and with `config` when no base URL is known.
  package init(settings: ProviderSettings, logger: Logger = Logger(label: "tgpt.providers")) throws(ProviderError) {
    kind = settings.kind
    self.logger = logger
    guard settings.kind != .echo else {
      baseURL = nil
      upstream = EchoUpstream(delayMs: settings.echoDelayMs)
      return
    }
    guard let base = settings.baseURL ?? settings.kind.defaultBaseURL, !base.isEmpty else {
      throw .config("the \(settings.kind.rawValue) provider needs a base URL: use --base-url or TGPT_BASE_URL")
    }
    guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
      throw .config("the base URL must start with http:// or https://: \(base)")
    }
    let key = settings.apiKey.flatMap { $0.isEmpty ? nil : $0 }
    if key == nil, settings.kind.requiresKey(baseURL: base), let variable = settings.kind.keyVariable {
      throw .missingKey(variable: variable, provider: settings.kind.rawValue)
    }
    baseURL = base
    let format: any WireFormat =
      switch settings.kind {
      case .anthropic:
        AnthropicWireFormat(baseURL: base, apiKey: key, extraHeaders: settings.headers)
      default:
        OpenAIWireFormat(
          kind: settings.kind, baseURL: base, apiKey: key, extraHeaders: settings.headers,
          maxTokensField: settings.maxTokensField ?? settings.kind.defaultMaxTokensField, appURL: settings.appURL,
          appTitle: settings.appTitle)
      }
    upstream = HTTPUpstream(
      format: format, http1Only: settings.http1Only, caFile: settings.caFile, insecure: settings.insecure,
      logger: logger)
  }

  /// A provider over any upstream (tests script one).
  init(
    kind: ProviderKind, baseURL: String?, upstream: any Upstream, logger: Logger = Logger(label: "tgpt.providers")
  ) {
    self.kind = kind
    self.logger = logger
    self.baseURL = baseURL
    self.upstream = upstream
  }
}

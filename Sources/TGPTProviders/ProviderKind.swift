/// The providers tgpt speaks to, and what each one needs by default.
package enum ProviderKind: String, CaseIterable, Sendable {
  /// OpenRouter (the default): OpenAI wire format plus attribution headers and cost in usage.
  case openrouter
  /// OpenAI itself.
  case openai
  /// Anthropic's Messages API.
  case anthropic
  /// Any OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio): `--base-url` required,
  /// key optional.
  case compatible
  /// No network: streams the last user message back word by word.
  case echo

  /// Where requests go when no base URL is given.
  package var defaultBaseURL: String? {
    switch self {
    case .openrouter: "https://openrouter.ai/api/v1"
    case .openai: "https://api.openai.com/v1"
    case .anthropic: "https://api.anthropic.com/v1"
    case .compatible, .echo: nil
    }
  }

  /// The environment variable that holds this provider's key.
  package var keyVariable: String? {
    switch self {
    case .openrouter: "OPENROUTER_API_KEY"
    case .openai: "OPENAI_API_KEY"
    case .anthropic: "ANTHROPIC_API_KEY"
    case .compatible: "TGPT_API_KEY"
    case .echo: nil
    }
  }

  /// The model used when none is configured.
  package var defaultModel: String? {
    switch self {
    case .openrouter: "openai/gpt-4o-mini"
    case .openai: "gpt-4o-mini"
    case .anthropic: "claude-haiku-4-5"
    case .compatible: nil
    case .echo: "echo"
    }
  }

  /// The body field that carries the output-token limit. OpenAI's reasoning models reject
  /// `max_tokens`; Ollama and older llama.cpp know only `max_tokens`.
  package var defaultMaxTokensField: String {
    self == .openai ? "max_completion_tokens" : "max_tokens"
  }

  /// Whether a key is required when talking to `baseURL`: only for the hosted services'
  /// own endpoints; a local or custom server may need none.
  package func requiresKey(baseURL: String) -> Bool {
    guard let defaultBaseURL else { return false }
    return baseURL == defaultBaseURL
  }
}

/// Everything needed to talk to one provider, already resolved from flags, environment and
/// configuration by the caller.
package struct ProviderSettings: Sendable {
  package var kind: ProviderKind
  /// The API base (`…/v1`); nil means the provider's default.
  package var baseURL: String?
  package var apiKey: String?
  /// Extra request headers (`--header`).
  package var headers: [(String, String)]
  /// Overrides the body field for the token limit.
  package var maxTokensField: String?
  /// OpenRouter attribution: `HTTP-Referer`.
  package var appURL: String?
  /// OpenRouter attribution: `X-Title`.
  package var appTitle: String?
  package var http1Only: Bool
  package var caFile: String?
  package var insecure: Bool
  /// Milliseconds between words of the echo provider.
  package var echoDelayMs: Int

  package init(
    kind: ProviderKind = .openrouter, baseURL: String? = nil, apiKey: String? = nil, headers: [(String, String)] = [],
    maxTokensField: String? = nil, appURL: String? = nil, appTitle: String? = "tgpt", http1Only: Bool = false,
    caFile: String? = nil, insecure: Bool = false, echoDelayMs: Int = 0
  ) {
    self.kind = kind
    self.baseURL = baseURL
    self.apiKey = apiKey
    self.headers = headers
    self.maxTokensField = maxTokensField
    self.appURL = appURL
    self.appTitle = appTitle
    self.http1Only = http1Only
    self.caFile = caFile
    self.insecure = insecure
    self.echoDelayMs = echoDelayMs
  }
}

package import ArgumentParser
package import TGPTProviders

extension ProviderKind: ExpressibleByArgument {}

/// Flags that choose and reach the provider; shared by `tgpt-stream` and `tgpt-session`.
package struct ProviderOptions: ParsableArguments, Sendable {
  @Option(
    help: ArgumentHelp(
      "Use the config file's [profiles.NAME] table: its provider, model, system prompt… unless a flag says otherwise (it wins over the environment). Env: TGPT_PROFILE.",
      valueName: "name"))
  package var profile: String?

  @Option(
    help: ArgumentHelp(
      "The provider: openrouter (default), openai, anthropic, compatible, echo. Env: TGPT_PROVIDER.",
      valueName: "name"))
  package var provider: ProviderKind?

  @Option(
    name: [.short, .long],
    help: ArgumentHelp("The model id, e.g. openai/gpt-4o-mini. Env: TGPT_MODEL.", valueName: "id"))
  package var model: String?

  @Option(
    help: ArgumentHelp(
      "API base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 (implies --provider compatible). Env: TGPT_BASE_URL.",
      valueName: "url"))
  package var baseURL: String?

  @Option(
    name: .customLong("header"),
    help: ArgumentHelp("An extra HTTP header, 'Name: value' (repeatable).", valueName: "header"))
  package var headers: [String] = []

  @Option(
    help: ArgumentHelp(
      "A shell command that prints the API key (e.g. 'pass show openrouter'); used when the key variable is unset.",
      valueName: "command"))
  package var apiKeyCmd: String?

  @Option(
    help: ArgumentHelp(
      "Body field for --max-tokens: max_tokens or max_completion_tokens (default per provider).", valueName: "field"))
  package var maxTokensField: String?

  @Option(help: ArgumentHelp("OpenRouter attribution: the HTTP-Referer header. Env: TGPT_APP_URL.", valueName: "url"))
  package var appURL: String?

  @Option(
    help: ArgumentHelp(
      "OpenRouter attribution: the X-Title header (default tgpt). Env: TGPT_APP_TITLE.", valueName: "title"))
  package var appTitle: String?

  @Flag(name: .customLong("http1.1"), help: "Use HTTP/1.1 only (for proxies that break HTTP/2 streams).")
  package var http1Only = false

  @Option(help: ArgumentHelp("A PEM file of CA certificates to trust instead of the system's.", valueName: "file"))
  package var cacert: String?

  @Flag(help: "Do not verify TLS certificates (local test servers only).")
  package var insecure = false

  @Option(help: ArgumentHelp("Milliseconds between words of the echo provider.", valueName: "ms"))
  package var echoDelayMs: Int = 0

  package init() {}

  package func validate() throws {
    for header in headers where Self.parseHeader(header) == nil {
      throw ValidationError("--header must look like 'Name: value', got '\(header)'")
    }
    if echoDelayMs < 0 { throw ValidationError("--echo-delay-ms must not be negative") }
  }

  static func parseHeader(_ text: String) -> (String, String)? {
    guard let colon = text.firstIndex(of: ":") else { return nil }
    let name = text[..<colon].trimmingCharacters
    guard !name.isEmpty, !name.contains(" ") else { return nil }
    return (name, text[text.index(after: colon)...].trimmingCharacters)
  }
}

/// Flags that bound the transport: retries and timeouts.
package struct TransportOptions: ParsableArguments, Sendable {
  @Option(
    help: ArgumentHelp(
      "Retries before the first answer byte, on connect errors, 408, 409, 429 and 5xx (default 3).", valueName: "n"))
  package var retries: Int?

  @Option(help: ArgumentHelp("Seconds allowed to connect (default 10).", valueName: "seconds"))
  package var connectTimeout: Double?

  @Option(
    help: ArgumentHelp(
      "Seconds without any byte from the provider before giving up (default 60).", valueName: "seconds"))
  package var idleTimeout: Double?

  @Option(
    help: ArgumentHelp("Seconds for the whole answer, retries included (default: no limit).", valueName: "seconds"))
  package var timeout: Double?

  package init() {}

  package func validate() throws {
    if let retries, retries < 0 { throw ValidationError("--retries must not be negative") }
    for (name, value) in [
      ("--connect-timeout", connectTimeout), ("--idle-timeout", idleTimeout), ("--timeout", timeout),
    ] {
      if let value, let problem = Self.problem(seconds: value) { throw ValidationError("\(name) \(problem)") }
    }
  }

  /// Why a number of seconds is unusable, or nil: it must be positive and at most a million
  /// seconds (about eleven days), so it converts to milliseconds safely.
  package static func problem(seconds value: Double) -> String? {
    value > 0 && value <= 1_000_000 ? nil : "must be a number of seconds above 0 and at most 1000000, got \(value)"
  }
}

/// Flags that shape the answer.
package struct GenerationOptions: ParsableArguments, Sendable {
  @Option(help: ArgumentHelp("Sampling temperature.", valueName: "t"))
  package var temperature: Double?

  @Option(help: ArgumentHelp("The most tokens the answer may have.", valueName: "n"))
  package var maxTokens: Int?

  @Option(
    name: .customLong("param"),
    help: ArgumentHelp(
      "An extra request body field, key=JSON (repeatable); a value that is not JSON is sent as a string: --param top_p=0.9 --param reasoning_effort=high.",
      valueName: "key=value"))
  package var params: [String] = []

  package init() {}

  package func validate() throws {
    for param in params where !param.contains("=") || param.hasPrefix("=") {
      throw ValidationError("--param must look like key=JSON, got '\(param)'")
    }
    if let maxTokens, maxTokens <= 0 { throw ValidationError("--max-tokens must be positive") }
  }
}

extension StringProtocol {
  var trimmingCharacters: String {
    var slice = Substring(self)
    while let first = slice.first, first.isWhitespace { slice.removeFirst() }
    while let last = slice.last, last.isWhitespace { slice.removeLast() }
    return String(slice)
  }
}

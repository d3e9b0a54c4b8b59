import TGPTEvents
import Testing

@testable import TGPTProviders

@Suite struct BaseURLTests {
  @Test(arguments: [
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000/v1"),
    ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/v1"),
    ("http://localhost:11434/api", "http://localhost:11434/api/v1"),
    ("http://h/chat/completions", "http://h/v1"),
  ])
  func aBaseWithoutAVersionGetsV1Suggested(_ base: String, _ suggestion: String) {
    #expect(BaseURL.withVersion(base) == suggestion)
  }

  @Test(arguments: [
    "https://openrouter.ai/api/v1", "http://h/v1/", "https://api.groq.com/openai/v1",
    "https://generativelanguage.googleapis.com/v1beta/openai/", "http://h/v2/chat/completions", "not a url",
  ])
  func aBaseWithAVersionGetsNoSuggestion(_ base: String) {
    #expect(BaseURL.withVersion(base) == nil)
  }

  @Test func aNotFoundNamesTheURLAndTheFix() {
    let body = Array(#"{"detail":"Not Found"}"#.utf8)
    let bare = ProviderError.fromResponse(
      status: 404, headers: HTTPHeaders(), body: body, request: ("POST", "http://h:8/chat/completions", "http://h:8"))
    #expect(
      bare.description
        == "HTTP 404: Not Found (POST http://h:8/chat/completions); the base URL has no version in its path: try http://h:8/v1"
    )
    #expect(bare.kind == .badRequest)
    let model = ProviderError.fromResponse(
      status: 404, headers: HTTPHeaders(), body: Array(#"{"error":{"message":"no such model"}}"#.utf8),
      request: ("POST", "http://h/v1/chat/completions", "http://h/v1"))
    #expect(model.description == "HTTP 404: no such model (POST http://h/v1/chat/completions)")
  }

  @Test func modelListRequests() {
    let openAI = OpenAIWireFormat(
      kind: .openai, baseURL: "https://api.openai.com/v1/", apiKey: "k", extraHeaders: [],
      maxTokensField: "max_tokens", appURL: nil, appTitle: nil)
    #expect(openAI.modelsRequest(after: nil).url == "https://api.openai.com/v1/models")
    #expect(openAI.modelsRequest(after: nil).headers.contains { $0 == ("Authorization", "Bearer k") })
    let anthropic = AnthropicWireFormat(baseURL: "https://api.anthropic.com/v1", apiKey: "k", extraHeaders: [])
    #expect(anthropic.modelsRequest(after: nil).url == "https://api.anthropic.com/v1/models?limit=1000")
    #expect(
      anthropic.modelsRequest(after: "claude x/1").url
        == "https://api.anthropic.com/v1/models?limit=1000&after_id=claude%20x%2F1")
    #expect(anthropic.modelsRequest(after: nil).headers.contains { $0 == ("x-api-key", "k") })
  }
}

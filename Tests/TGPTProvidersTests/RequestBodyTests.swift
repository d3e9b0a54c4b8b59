import TGPTEvents
import Testing

@testable import TGPTProviders

@Suite struct RequestBodyTests {
  static func openAI(_ kind: ProviderKind, field: String? = nil) -> OpenAIWireFormat {
    OpenAIWireFormat(
      kind: kind, baseURL: "http://h/v1", apiKey: "k", extraHeaders: [("X-Extra", "1")],
      maxTokensField: field ?? kind.defaultMaxTokensField, appURL: "https://example.org", appTitle: "tgpt")
  }

  @Test func openAIBodyAsksForUsageAndStreams() throws {
    var chat = ChatRequest(prompt: "hi", model: "m", system: "be brief")
    chat.temperature = 0.5
    chat.maxTokens = 100
    chat.extra = JSONObject([("top_p", .double(0.9)), ("temperature", .double(0.1))])
    let body = try JSON.parse(Self.openAI(.openrouter).body(for: chat))
    #expect(
      body.compactText
        == #"{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true},"temperature":0.1,"max_tokens":100,"top_p":0.9}"#
    )
  }

  @Test func maxTokensFieldFollowsTheProvider() throws {
    var chat = ChatRequest(prompt: "hi")
    chat.maxTokens = 5
    #expect(try JSON.parse(Self.openAI(.openai).body(for: chat))["max_completion_tokens"]?.intValue == 5)
    #expect(try JSON.parse(Self.openAI(.compatible).body(for: chat))["max_tokens"]?.intValue == 5)
    #expect(try JSON.parse(Self.openAI(.openai, field: "max_tokens").body(for: chat))["max_tokens"]?.intValue == 5)
  }

  @Test func openRouterAttributionAndAuthHeaders() throws {
    let (url, headers, _) = try Self.openAI(.openrouter).request(for: ChatRequest(prompt: "x"))
    #expect(url == "http://h/v1/chat/completions")
    let names = headers.map(\.0)
    #expect(names.contains("HTTP-Referer") && names.contains("X-Title") && names.contains("X-Extra"))
    #expect(headers.contains { $0 == ("Authorization", "Bearer k") })
    let (_, plain, _) = try Self.openAI(.compatible).request(for: ChatRequest(prompt: "x"))
    #expect(!plain.map(\.0).contains("X-Title"))
  }

  @Test func endpointJoiningAcceptsFullURLs() {
    #expect(OpenAIWireFormat.endpoint("http://h/v1", "chat/completions") == "http://h/v1/chat/completions")
    #expect(OpenAIWireFormat.endpoint("http://h/v1/", "chat/completions") == "http://h/v1/chat/completions")
    #expect(
      OpenAIWireFormat.endpoint("http://h/v1/chat/completions", "chat/completions") == "http://h/v1/chat/completions")
  }

  @Test func anthropicLiftsSystemMessagesAndRequiresMaxTokens() throws {
    let chat = ChatRequest(
      messages: [
        ChatRequest.message(role: "system", content: "sys2"), ChatRequest.message(role: "user", content: "hi"),
      ],
      model: "claude-x", system: "sys1")
    let format = AnthropicWireFormat(baseURL: "http://h/v1", apiKey: "k", extraHeaders: [])
    let body = try JSON.parse(format.body(for: chat))
    #expect(
      body.compactText
        == #"{"model":"claude-x","max_tokens":4096,"system":"sys1\n\nsys2","messages":[{"role":"user","content":"hi"}],"stream":true}"#
    )
    let (url, headers, _) = try format.request(for: chat)
    #expect(url == "http://h/v1/messages")
    #expect(headers.contains { $0 == ("x-api-key", "k") })
    #expect(headers.contains { $0 == ("anthropic-version", "2023-06-01") })
  }

  @Test func wholeRequestsKeepUnknownFieldsAndCheckRoles() throws {
    let request = try ChatRequest(
      json: JSON.parse(
        #"{"messages":[{"role":"user","content":"a"}],"model":"m","stream":false,"max_tokens":9,"tools":[{"type":"function"}]}"#
      ))
    #expect(request.model == "m")
    #expect(request.maxTokens == 9)
    #expect(request.extra.keys == ["tools"])
    #expect(throws: ProviderError.self) { try ChatRequest(json: JSON.parse(#"{"messages":[]}"#)) }
    #expect(throws: ProviderError.self) { try ChatRequest(json: JSON.parse(#"{"messages":[{"content":"x"}]}"#)) }
  }

  @Test func missingKeysNameTheVariableOnlyForHostedEndpoints() {
    do {
      _ = try Provider(settings: ProviderSettings(kind: .openrouter))
      Issue.record("expected a missing-key error")
    } catch {
      #expect(error.kind == .auth)
      #expect(error.description.contains("OPENROUTER_API_KEY"))
    }
    #expect((try? Provider(settings: ProviderSettings(kind: .openrouter, baseURL: "http://127.0.0.1:9/v1"))) != nil)
    #expect((try? Provider(settings: ProviderSettings(kind: .compatible))) == nil)
    #expect((try? Provider(settings: ProviderSettings(kind: .echo))) != nil)
  }

  @Test func echoWordsConcatenateToTheExactText() {
    for text in ["", "one", "  lead and trail  ", "a\n\nb\tc", "日本 語 😀👍🏽", "x y\n"] {
      #expect(EchoUpstream.words(text).joined() == text)
    }
    #expect(EchoUpstream.words("a b  c") == ["a ", "b  ", "c"])
  }
}

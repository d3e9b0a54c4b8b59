import Foundation
import TGPTEvents
import Testing

/// The providers' own prompt caching: Anthropic breakpoints on long requests, and the cached
/// token counts of Anthropic and OpenAI streams in `usage`.
@Suite(.timeLimit(.minutes(10))) struct PromptCacheEndToEndTests {
  static var fake: FakeProviderServer {
    get async throws { try await FakeProviderServer.shared }
  }

  static func anthropic(_ arguments: [String], key: String, scenario: String = "") async throws -> (
    Harness.Result, JSON
  ) {
    let url = try await fake.url("key=\(key)" + scenario)
    let result = try await Harness.run(
      "tgpt-stream", ["--provider", "anthropic", "--base-url", url] + arguments,
      env: Harness.environment(["ANTHROPIC_API_KEY": "test-key"]))
    #expect(result.status == 0, "\(result.stderr)")
    let body = try #require(try await fake.requests(key: key).last?["body"])
    return (result, body)
  }

  @Test func aLongAnthropicRequestMarksTheSystemPromptAndTheLastMessage() async throws {
    let system = String(repeating: "You are a careful assistant. ", count: 200)
    let (_, body) = try await Self.anthropic(["--system", system, "hello"], key: StreamEndToEndTests.key())
    let ephemeral: JSON = ["type": "ephemeral"]
    #expect(body["system"] == [["type": "text", "text": .string(system), "cache_control": ephemeral]])
    #expect(
      body["messages"] == [
        ["role": "user", "content": [["type": "text", "text": "hello", "cache_control": ephemeral]]]
      ])
  }

  @Test func aShortAnthropicRequestIsSentAsItIs() async throws {
    let (_, body) = try await Self.anthropic(["--system", "be brief", "hello"], key: StreamEndToEndTests.key())
    #expect(body["system"] == "be brief")
    #expect(body["messages"] == [["role": "user", "content": "hello"]])
  }

  /// Anthropic's input_tokens leaves out the cache's tokens: the prompt is all three.
  @Test func anthropicCacheTokensAreReportedInUsage() async throws {
    let (result, _) = try await Self.anthropic(
      ["a b"], key: StreamEndToEndTests.key(), scenario: ";cached=1000;cache-write=24")
    guard case .complete(let complete)? = result.events.last?.payload else { return #expect(Bool(false)) }
    let usage = try #require(complete.usage)
    // The fake counts 4 input tokens a message.
    #expect(usage.promptTokens == 4 + 1000 + 24)
    #expect(usage.cachedTokens == 1000)
    #expect(usage.cacheWriteTokens == 24)
    #expect(result.text.contains(#""cached_tokens":1000,"cache_write_tokens":24"#))
  }

  @Test func openAICachedTokensAreReportedInUsage() async throws {
    let key = StreamEndToEndTests.key()
    let result = try await Harness.run(
      "tgpt-stream", ["--provider", "openrouter", "--base-url", try await Self.fake.url("key=\(key);cached=3"), "a b"],
      env: Harness.environment(["OPENROUTER_API_KEY": "test-key"]))
    guard case .complete(let complete)? = result.events.last?.payload else { return #expect(Bool(false)) }
    #expect(complete.usage?.cachedTokens == 3)
    #expect(complete.usage?.promptTokens == 4)
  }
}

import TGPTEvents
import Testing

@testable import TGPTProviders

/// Tools offered and tool exchanges replayed, in each provider's request shape.
@Suite struct ToolRequestBodyTests {
  static let weather = ToolSpec(
    name: "get_weather", description: "Weather in a city",
    parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])
  static let time = ToolSpec(name: "get_time", description: "", parameters: ["type": "object"])

  static func call(_ id: String, _ name: String, _ arguments: String) -> JSON {
    ["id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": .string(arguments)]]
  }

  static func result(_ id: String, _ content: String, error: Bool = false) -> JSON {
    var object = JSONObject([("role", "tool"), ("tool_call_id", .string(id)), ("content", .string(content))])
    if error { object["is_error"] = true }
    return .object(object)
  }

  /// A turn with two parallel calls (one failed), the answer, then a second turn whose call
  /// came back with an invalid JSON text and no answer before the user spoke again.
  static let exchange: [JSON] = [
    ChatRequest.message(role: "user", content: "Weather and time in Paris?"),
    [
      "role": "assistant", "content": "Checking.",
      "tool_calls": [call("call_1", "get_weather", #"{"city":"Paris"}"#), call("call_2", "get_time", "")],
    ],
    result("call_1", "18°C"), result("call_2", "no clock", error: true),
    ChatRequest.message(role: "assistant", content: "18°C; the time is unknown."),
    ChatRequest.message(role: "user", content: "And Rome?"),
    ["role": "assistant", "content": "", "tool_calls": [call("call_3", "get_weather", #"{"city":"Ro"#)]],
    result("call_3", "arguments are not valid JSON", error: true),
    ChatRequest.message(role: "user", content: "Try again."),
  ]

  static func body(_ format: some WireFormat, _ chat: ChatRequest) throws -> String {
    try JSON.parse(format.request(for: chat).body).compactText
  }

  @Test func openAIOffersToolsAsFunctions() throws {
    let chat = ChatRequest(
      messages: [ChatRequest.message(role: "user", content: "hi")], tools: [Self.weather, Self.time])
    let format = RequestBodyTests.openAI(.openai)
    #expect(
      try Self.body(format, chat)
        == #"{"messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true},"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},{"type":"function","function":{"name":"get_time","description":"","parameters":{"type":"object"}}}]}"#
    )
    let plain = try JSON.parse(format.body(for: ChatRequest(prompt: "hi")))
    #expect(plain["tools"] == nil, "no tools, no key")
  }

  @Test func openAIReplaysTheExchangeWithoutTheErrorMark() throws {
    let chat = ChatRequest(messages: Self.exchange)
    let body = try JSON.parse(RequestBodyTests.openAI(.openai).body(for: chat))
    let sent = try #require(body["messages"]?.arrayValue)
    #expect(sent.count == Self.exchange.count)
    for (message, original) in zip(sent, Self.exchange) {
      if original["role"]?.stringValue == "tool" {
        #expect(message["is_error"] == nil)
        #expect(message["tool_call_id"] == original["tool_call_id"])
        #expect(message["content"] == original["content"])
      } else {
        #expect(message == original, "other messages pass unchanged")
      }
    }
    #expect(!body.compactText.contains("is_error"))
  }

  @Test func anthropicOffersToolsWithInputSchemas() throws {
    let chat = ChatRequest(
      messages: [ChatRequest.message(role: "user", content: "hi")], model: "claude-x", tools: [Self.weather])
    let format = AnthropicWireFormat(baseURL: "http://h/v1", apiKey: "k", extraHeaders: [])
    #expect(
      try Self.body(format, chat)
        == #"{"model":"claude-x","max_tokens":4096,"messages":[{"role":"user","content":"hi"}],"stream":true,"tools":[{"name":"get_weather","description":"Weather in a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]}"#
    )
    #expect(try JSON.parse(format.body(for: ChatRequest(prompt: "hi")))["tools"] == nil)
  }

  @Test func anthropicReplaysCallsAsToolUseAndResultsAsOneUserMessage() throws {
    let chat = ChatRequest(messages: Self.exchange, model: "claude-x")
    let body = try JSON.parse(
      AnthropicWireFormat(baseURL: "http://h/v1", apiKey: nil, extraHeaders: []).body(for: chat))
    let messages = try #require(body["messages"]?.arrayValue).map(\.compactText)
    #expect(
      messages == [
        #"{"role":"user","content":"Weather and time in Paris?"}"#,
        #"{"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},{"type":"tool_use","id":"call_2","name":"get_time","input":{}}]}"#,
        #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"18°C"},{"type":"tool_result","tool_use_id":"call_2","content":"no clock","is_error":true}]}"#,
        #"{"role":"assistant","content":"18°C; the time is unknown."}"#,
        #"{"role":"user","content":"And Rome?"}"#,
        #"{"role":"assistant","content":[{"type":"tool_use","id":"call_3","name":"get_weather","input":{"_raw_arguments":"{\"city\":\"Ro"}}]}"#,
        #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_3","content":"arguments are not valid JSON","is_error":true},{"type":"text","text":"Try again."}]}"#,
      ])
    let roles = try #require(body["messages"]?.arrayValue).map { $0["role"]?.stringValue ?? "" }
    #expect(zip(roles, roles.dropFirst()).allSatisfy { $0 != $1 }, "the roles alternate")
  }

  @Test func anthropicInputIsAlwaysAnObject() {
    #expect(AnthropicMessages.input(nil) == [:])
    #expect(AnthropicMessages.input(" ") == [:])
    #expect(AnthropicMessages.input(#"{"a":[1]}"#) == ["a": [1]])
    #expect(AnthropicMessages.input(["a": 1]) == ["a": 1])
    #expect(AnthropicMessages.input("[1,2]") == ["_raw_arguments": "[1,2]"])
    #expect(AnthropicMessages.input("{broken") == ["_raw_arguments": "{broken"])
  }

  @Test func anthropicDropsAnEmptyToolCallsField() {
    let message: JSON = ["role": "assistant", "content": "hi", "tool_calls": []]
    #expect(AnthropicMessages.converting([message]) == [["role": "assistant", "content": "hi"]])
  }
}

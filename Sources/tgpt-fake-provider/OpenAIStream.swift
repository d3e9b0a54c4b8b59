import TGPTEvents

/// Streams an OpenAI/OpenRouter-style answer for a scenario.
struct OpenAIStream {
  let scenario: Scenario
  let reply: [String]
  let promptTokens: Int
  let includeUsage: Bool
  /// Calls to make after the text (`call=` scenarios).
  var toolCalls: [OutgoingCall] = []

  var nl: String { scenario.crlf ? "\r\n" : "\n" }

  func event(_ json: JSON) -> String { "data: " + json.compactText + nl + nl }

  func chunk(delta: JSON, finish: JSON = nil) -> JSON {
    [
      "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_700_000_000,
      "model": .string(scenario.model),
      "choices": [["index": 0, "delta": delta, "finish_reason": finish]],
    ]
  }

  /// Writes the whole body; returns false when the scenario cut the connection (no final chunk).
  func write(to out: inout ResponseWriter) -> Bool {
    if scenario.empty { return true }
    if scenario.llamaError {
      out.send(
        "error: {\"code\":400,\"message\":\"the request exceeds the available context size\",\"type\":\"exceed_context_size_error\"}"
          + nl + nl)
      out.send("data: [DONE]" + nl + nl)
      return true
    }
    out.send(event(chunk(delta: ["role": "assistant", "content": ""])))
    if scenario.reasoning {
      for piece in ["Let me ", "think. "] { out.send(event(chunk(delta: ["reasoning": .string(piece)]))) }
    }
    for (index, piece) in reply.enumerated() {
      if index == scenario.errorAfter {
        out.send(
          event([
            "id": "chatcmpl-fake", "object": "chat.completion.chunk",
            "error": ["code": "server_error", "message": "Provider disconnected unexpectedly"],
            "choices": [["index": 0, "delta": ["content": ""], "finish_reason": "error"]],
          ]))
        return true
      }
      if index == scenario.dropAfter { return false }
      if index == scenario.stallAfter {
        out.socket.waitForClose(seconds: 600)
        return false
      }
      if index > 0 { out.pause(scenario.delayMs) }
      if !out.holdIfLast(index, of: reply.count) { return false }
      if scenario.keepalive { out.send(": OPENROUTER PROCESSING" + nl + nl) }
      out.send(event(chunk(delta: ["content": .string(piece)])))
      if !out.alive { return false }
    }
    if let big = scenario.big {
      out.send(event(chunk(delta: ["content": .string(String(repeating: "x", count: big))])))
    }
    if !toolCalls.isEmpty, !writeToolCalls(to: &out) { return false }
    if scenario.tools {
      out.send(
        event(
          chunk(delta: [
            "tool_calls": [
              ["index": 0, "id": "call_1", "type": "function", "function": ["name": "get_weather", "arguments": ""]]
            ]
          ])))
      out.send(event(chunk(delta: ["tool_calls": [["index": 0, "function": ["arguments": "{\"city\":"]]]])))
      out.send(event(chunk(delta: ["tool_calls": [["index": 0, "function": ["arguments": "\"Paris\"}"]]]])))
    }
    if !scenario.noFinish {
      let calling = scenario.tools || !toolCalls.isEmpty
      out.send(event(chunk(delta: [:], finish: .string(calling ? "tool_calls" : "stop"))))
    }
    if scenario.lateError {
      out.send(event(["error": ["message": "late failure after the finish", "code": 500]]))
      return true
    }
    if includeUsage && !scenario.noFinish {
      let completion = reply.count
      var usage: JSON = [
        "prompt_tokens": .int(promptTokens), "completion_tokens": .int(completion),
        "total_tokens": .int(promptTokens + completion), "cost": .number(JSONNumber(0.00042)),
      ]
      if let cached = scenario.cachedTokens, case .object(var object) = usage {
        object["prompt_tokens_details"] = ["cached_tokens": .int(cached)]
        usage = .object(object)
      }
      out.send(
        event([
          "id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": .string(scenario.model), "choices": [],
          "usage": usage,
        ]))
    }
    if !scenario.noDone { out.send("data: [DONE]" + nl + nl) }
    return true
  }

  /// The non-streaming form (`json` scenario).
  func whole() -> String {
    var message: JSON = ["role": "assistant", "content": .string(reply.joined())]
    if !toolCalls.isEmpty {
      let calls: [JSON] = toolCalls.map {
        [
          "id": .string($0.id), "type": "function",
          "function": ["name": .string($0.name), "arguments": .string($0.arguments)],
        ]
      }
      message = ["role": "assistant", "content": .string(reply.joined()), "tool_calls": .array(calls)]
    }
    return JSON.object(
      JSONObject([
        ("id", "chatcmpl-fake"), ("object", "chat.completion"), ("model", .string(scenario.model)),
        (
          "choices",
          [
            [
              "index": 0, "message": message, "finish_reason": toolCalls.isEmpty ? "stop" : "tool_calls",
            ]
          ]
        ),
        (
          "usage",
          [
            "prompt_tokens": .int(promptTokens), "completion_tokens": .int(reply.count),
            "total_tokens": .int(promptTokens + reply.count),
          ]
        ),
      ])
    ).compactText
  }
}

import TGPTEvents

/// Streams an Anthropic Messages-style answer for a scenario.
struct AnthropicStream {
  let scenario: Scenario
  let reply: [String]
  let promptTokens: Int
  /// Calls to make after the text (`call=` scenarios).
  var toolCalls: [OutgoingCall] = []

  func event(_ type: String, _ json: JSON) -> String {
    "event: \(type)\ndata: \(json.compactText)\n\n"
  }

  func write(to out: inout ResponseWriter) -> Bool {
    // Anthropic's input_tokens leaves out what was read from or written to its prompt cache.
    var usage = JSONObject([("input_tokens", .int(promptTokens)), ("output_tokens", 1)])
    if let read = scenario.cachedTokens { usage["cache_read_input_tokens"] = .int(read) }
    if let written = scenario.cacheWriteTokens { usage["cache_creation_input_tokens"] = .int(written) }
    out.send(
      event(
        "message_start",
        [
          "type": "message_start",
          "message": [
            "id": "msg_fake", "role": "assistant", "model": .string(scenario.model), "content": [],
            "usage": .object(usage),
          ],
        ]))
    // A model that only calls tools sends no text block.
    let textBlock = toolCalls.isEmpty || !reply.isEmpty
    if textBlock {
      out.send(
        event(
          "content_block_start",
          ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]]))
      out.send(event("ping", ["type": "ping"]))
      for (index, piece) in reply.enumerated() {
        if index == scenario.errorAfter {
          out.send(event("error", ["type": "error", "error": ["type": "overloaded_error", "message": "Overloaded"]]))
          return true
        }
        if index == scenario.dropAfter { return false }
        if index > 0 { out.pause(scenario.delayMs) }
        if !out.holdIfLast(index, of: reply.count) { return false }
        out.send(
          event(
            "content_block_delta",
            ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": .string(piece)]]))
      }
      out.send(event("content_block_stop", ["type": "content_block_stop", "index": 0]))
    }
    if !toolCalls.isEmpty, !writeToolUse(to: &out, firstIndex: textBlock ? 1 : 0) { return false }
    if scenario.tools {
      out.send(
        event(
          "content_block_start",
          [
            "type": "content_block_start", "index": 1,
            "content_block": ["type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": [:]],
          ]))
      out.send(
        event(
          "content_block_delta",
          [
            "type": "content_block_delta", "index": 1,
            "delta": ["type": "input_json_delta", "partial_json": "{\"location\": \"San Fra"],
          ]))
      out.send(
        event(
          "content_block_delta",
          [
            "type": "content_block_delta", "index": 1,
            "delta": ["type": "input_json_delta", "partial_json": "ncisco\"}"],
          ]))
      out.send(event("content_block_stop", ["type": "content_block_stop", "index": 1]))
    }
    if scenario.noFinish {
      // An aborted generation: the end marker without a stop reason (as with OpenAI's [DONE]).
      if !scenario.noDone { out.send(event("message_stop", ["type": "message_stop"])) }
      return true
    }
    out.send(
      event(
        "message_delta",
        [
          "type": "message_delta",
          "delta": [
            "stop_reason": .string(scenario.tools || !toolCalls.isEmpty ? "tool_use" : "end_turn"),
            "stop_sequence": nil,
          ],
          "usage": ["output_tokens": .int(reply.count)],
        ]))
    out.send(event("message_stop", ["type": "message_stop"]))
    return true
  }
}

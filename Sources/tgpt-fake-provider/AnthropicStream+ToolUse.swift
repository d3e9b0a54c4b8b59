import TGPTEvents

/// Tool calls streamed as Anthropic streams them: one `tool_use` block per call, its input in
/// `input_json_delta` pieces of 3 bytes.
extension AnthropicStream {
  /// Writes one block per call, the first at block index `firstIndex`; false when the client left.
  func writeToolUse(to out: inout ResponseWriter, firstIndex: Int) -> Bool {
    for (offset, call) in toolCalls.enumerated() {
      let index = firstIndex + offset
      out.send(
        event(
          "content_block_start",
          [
            "type": "content_block_start", "index": .int(index),
            "content_block": ["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": [:]],
          ]))
      for piece in ArgumentPieces.pieces(call.arguments) {
        out.pause(scenario.delayMs)
        out.send(bytes: inputEvent(index: index, piece: piece))
        if !out.alive { return false }
      }
      out.send(event("content_block_stop", ["type": "content_block_stop", "index": .int(index)]))
    }
    return out.alive
  }

  /// An `input_json_delta` event written by hand: the piece may cut a character.
  func inputEvent(index: Int, piece: ArraySlice<UInt8>) -> [UInt8] {
    let head =
      "event: content_block_delta\ndata: "
      + #"{"type":"content_block_delta","index":\#(index),"delta":{"type":"input_json_delta","partial_json":"#
    return Array(head.utf8) + ArgumentPieces.literal(piece) + Array("}}\n\n".utf8)
  }
}

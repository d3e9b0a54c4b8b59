import TGPTEvents

/// Tool calls streamed as OpenAI streams them, made harder: every call's first fragment (index,
/// id, type, name, empty arguments), then the arguments in 3-byte pieces, the calls' pieces
/// taking turns by index.
extension OpenAIStream {
  /// Writes the calls' fragments; false when the client left.
  func writeToolCalls(to out: inout ResponseWriter) -> Bool {
    for (index, call) in toolCalls.enumerated() {
      let head: JSON = [
        "index": .int(index), "id": .string(call.id), "type": "function",
        "function": ["name": .string(call.name), "arguments": ""],
      ]
      out.send(event(chunk(delta: ["tool_calls": [head]])))
    }
    let pieces = toolCalls.map { ArgumentPieces.pieces($0.arguments) }
    for round in 0..<(pieces.map(\.count).max() ?? 0) {
      for (index, callPieces) in pieces.enumerated() where round < callPieces.count {
        out.pause(scenario.delayMs)
        out.send(bytes: argumentsEvent(index: index, piece: callPieces[round]))
        if !out.alive { return false }
      }
    }
    return true
  }

  /// A chunk with one piece of call `index`'s arguments, written by hand: the piece may cut a
  /// character, which no `String` can hold.
  func argumentsEvent(index: Int, piece: ArraySlice<UInt8>) -> [UInt8] {
    let head =
      #"data: {"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1700000000,"model":"#
      + JSON.string(scenario.model).compactText
      + #","choices":[{"index":0,"delta":{"tool_calls":[{"index":\#(index),"function":{"arguments":"#
    let tail = #"}}]},"finish_reason":null}]}"# + nl + nl
    return Array(head.utf8) + ArgumentPieces.literal(piece) + Array(tail.utf8)
  }
}

import Synchronization
import TGPTEvents

/// What a turn's events said, gathered for the record.
final class Answer: Sendable {
  struct Snapshot {
    var content = ""
    var model: String?
    var usage: Usage?
    var toolCalls: [JSON] = []
    var error: String?

    var toolCallsJSON: JSON? { toolCalls.isEmpty ? nil : .array(toolCalls) }
  }

  private let state = Mutex(Snapshot())

  func absorb(_ event: Event) {
    state.withLock { state in
      switch event.payload {
      case .chunk(let chunk):
        state.content += chunk.content
        if let model = chunk.model { state.model = model }
      case .toolCall(let call):
        state.toolCalls.append(
          ["call_id": .string(call.callID), "name": .string(call.name), "arguments": call.arguments])
      case .complete(let complete):
        state.usage = complete.usage
        if let model = complete.model { state.model = model }
      case .error(let failure):
        state.error = failure.message
      default:
        break
      }
    }
  }

  func snapshot() -> (content: String, model: String?, usage: Usage?, toolCalls: JSON?, error: String?) {
    state.withLock { ($0.content, $0.model, $0.usage, $0.toolCallsJSON, $0.error) }
  }
}

import TGPTEvents

/// What one round of a turn's events said, gathered for the record.
final class Answer: Sendable {
  struct Snapshot {
    var content = ""
    var model: String?
    var usage: Usage?
    var calls: [Event.ToolCall] = []
    var error: String?
    /// For the response cache: the reasoning text and how the answer ended.
    var reasoning = ""
    var finishReason: String?

    /// The calls as stored: `[{"call_id","name","arguments"}]`, or nil for none.
    var toolCallsJSON: JSON? { calls.isEmpty ? nil : .array(calls.map(ToolExchange.stored)) }
  }

  private let state = Guarded(Snapshot())

  func absorb(_ event: Event) {
    state.withLock { state in
      switch event.payload {
      case .chunk(let chunk):
        state.content += chunk.content
        if let model = chunk.model { state.model = model }
      case .toolCall(let call):
        state.calls.append(call)
      case .reasoning(let reasoning):
        state.reasoning += reasoning.content
      case .complete(let complete):
        state.usage = complete.usage
        state.finishReason = complete.finishReason
        if let model = complete.model { state.model = model }
      case .error(let failure):
        state.error = failure.message
      default:
        break
      }
    }
  }

  func snapshot() -> Snapshot { state.withLock { $0 } }
}

package import TGPTEvents

/// What a provider's stream says, provider-neutral: the runner turns these into events.
package enum ProviderOutput: Sendable, Hashable {
  /// The model that actually answers (it may differ from the one requested).
  case model(String)
  /// A piece of answer text.
  case content(String)
  /// A piece of reasoning text.
  case reasoning(String)
  /// A complete tool call, assembled from its fragments.
  case toolCall(Event.ToolCall)
  /// The provider's finish reason: the answer is complete.
  case finish(String)
  case usage(Usage)
  /// An explicit end of stream (`[DONE]`, `message_stop`).
  case done
}

/// Decodes one provider's stream events into outputs. A state machine without I/O.
protocol StreamDecoder {
  /// Decodes one server-sent event; throws `ProviderError` for an error the provider reports.
  mutating func decode(_ message: SSEParser.Message, _ emit: (ProviderOutput) throws -> Void) throws
  /// Decodes a whole non-streaming JSON response (servers that ignore `stream: true`).
  mutating func decodeWhole(_ body: UnsafeRawBufferPointer, _ emit: (ProviderOutput) throws -> Void) throws
  /// The body ended: flush what is pending (tool calls whose finish never came).
  mutating func finish(_ emit: (ProviderOutput) throws -> Void) throws
  /// Whether the provider said the answer is complete: its finish reason arrived. An end
  /// marker alone does not make an answer complete.
  var isComplete: Bool { get }
  /// Whether the explicit end marker has arrived (nothing more will follow).
  var sawEndMarker: Bool { get }
}

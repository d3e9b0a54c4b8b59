/// Turns a provider's raw response body into provider-neutral outputs: the SSE parser and the
/// wire format's decoder together, with no I/O. Feed it reads of any size.
package struct ProviderStreamDecoder {
  private var parser = SSEParser()
  private var decoder: any StreamDecoder

  /// A decoder for `kind`'s wire format (Anthropic's Messages stream, else OpenAI's).
  package init(kind: ProviderKind) {
    self.init(decoder: kind == .anthropic ? AnthropicEventDecoder() : OpenAIChunkDecoder())
  }

  init(decoder: any StreamDecoder) { self.decoder = decoder }

  /// Whether the provider said the answer is complete (its finish reason arrived).
  package var isComplete: Bool { decoder.isComplete }

  /// Whether the stream's explicit end marker (`[DONE]`, `message_stop`) has arrived.
  package var sawEndMarker: Bool { decoder.sawEndMarker }

  /// Decodes one read of the body. Throws `ProviderError` for errors the provider reports.
  package mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (ProviderOutput) throws -> Void) throws {
    try parser.feed(bytes) { message in try decoder.decode(message, emit) }
  }

  /// The body ended: decodes what is pending (`[DONE]` without a blank line, unfinished tool calls).
  package mutating func finish(_ emit: (ProviderOutput) throws -> Void) throws {
    try parser.finish { message in try decoder.decode(message, emit) }
    try decoder.finish(emit)
  }

  /// Decodes a whole non-streaming JSON response (servers that ignore `stream: true`).
  package mutating func decodeWhole(_ body: UnsafeRawBufferPointer, _ emit: (ProviderOutput) throws -> Void) throws {
    try decoder.decodeWhole(body, emit)
    try decoder.finish(emit)
  }
}

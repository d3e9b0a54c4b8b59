package import TGPTEvents

/// The sentences of the answers in an event stream (or in text), for speech: the text of
/// `chunk` events goes through a `SentenceSplitter`; a `complete` or `error` (the end of a turn)
/// and a `tool_call` (the answer pauses for a tool) give out what is still held. Reasoning and
/// other events are not spoken. Lines that are not events are skipped: the renderer warns.
package struct SentenceFeed: Sendable {
  private var splitter = SentenceSplitter()

  package init() {}

  /// Takes in one NDJSON event line; returns the sentences it completed.
  package mutating func line(_ bytes: UnsafeRawBufferPointer) -> [String] {
    var content: [UInt8] = []
    if Event.appendChunkContent(bytes, to: &content) {
      return splitter.feed(String(decoding: content, as: UTF8.self))
    }
    guard let event = try? Event.decode(bytes) else { return [] }
    return self.event(event)
  }

  /// Takes in one event; returns the sentences it completed.
  package mutating func event(_ event: Event) -> [String] {
    switch event.payload {
    case .chunk(let chunk): splitter.feed(chunk.content)
    case .complete, .error, .toolCall: splitter.finish()
    default: []
    }
  }

  /// Takes in answer text that did not come as events.
  package mutating func text(_ text: String) -> [String] { splitter.feed(text) }

  /// The input ended: the sentences still held.
  package mutating func finish() -> [String] { splitter.finish() }
}

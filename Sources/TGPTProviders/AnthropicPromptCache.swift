import TGPTEvents

/// Anthropic's prompt caching, asked for where it pays: a request long enough to be cached
/// (Anthropic caches prompts of at least 1024 tokens on most models, 2048 on Haiku; estimated
/// here at 4 bytes a token, so from 4 KiB of system prompt, tools and messages) gets
/// `cache_control: {"type":"ephemeral"}` on the system prompt and on the last block of the last
/// message: two of the four breakpoints Anthropic allows. The first lets every turn with the
/// same tools and system prompt read them from the cache; the second writes the whole
/// conversation so far, which the next turn of the session, the same messages plus two,
/// reads back. Shorter requests are sent as they are (a breakpoint on them would only be
/// ignored).
enum AnthropicPromptCache {
  /// The estimated size, in bytes, from which a request is marked.
  static let minimumBytes = 1024 * 4

  static let ephemeral: JSON = ["type": "ephemeral"]

  /// The body's `system` and `messages` with breakpoints, when the request is long enough.
  static func mark(system: inout JSON?, messages: inout [JSON], tools: [JSON]) {
    var size = system.map { $0.compactText.utf8.count } ?? 0
    for message in messages { size += message.compactText.utf8.count }
    for tool in tools { size += tool.compactText.utf8.count }
    guard size >= minimumBytes else { return }
    if case .string(let text)? = system, !text.isEmpty {
      system = [["type": "text", "text": .string(text), "cache_control": ephemeral]]
    }
    if let last = messages.indices.last, let marked = markLastBlock(messages[last]) { messages[last] = marked }
  }

  /// The message with `cache_control` on its last content block (a string content becomes
  /// one text block); nil when it has no content to mark.
  static func markLastBlock(_ message: JSON) -> JSON? {
    guard case .object(var object) = message else { return nil }
    switch object["content"] {
    case .string(let text)? where !text.isEmpty:
      object["content"] = [["type": "text", "text": .string(text), "cache_control": ephemeral]]
    case .array(var blocks)? where !blocks.isEmpty:
      guard case .object(var block) = blocks[blocks.count - 1] else { return nil }
      block["cache_control"] = ephemeral
      blocks[blocks.count - 1] = .object(block)
      object["content"] = .array(blocks)
    default:
      return nil
    }
    return .object(object)
  }
}

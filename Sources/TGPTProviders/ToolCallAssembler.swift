import TGPTEvents

/// Joins streamed tool-call fragments into whole calls.
///
/// Fragments are keyed by `index` (never by the last id seen: parallel calls interleave, and
/// the id may arrive after the first fragment); `arguments` are joined as bytes (see
/// `StreamedJSONText`) and parsed once, when the calls are drained.
struct ToolCallAssembler {
  private struct Partial {
    var id: String?
    var name: String?
    var arguments = StreamedJSONText()
  }

  private var partials: [Int: Partial] = [:]
  private var order: [Int] = []

  var isEmpty: Bool { order.isEmpty }

  /// Notes a fragment's id and name; either may be missing (they usually come only first).
  mutating func add(index: Int, id: String?, name: String?) {
    if partials[index] == nil {
      partials[index] = Partial()
      order.append(index)
    }
    if let id, !id.isEmpty { partials[index]!.id = id }
    if let name, !name.isEmpty { partials[index]!.name = name }
  }

  /// Adds a piece of a call's arguments: a JSON string literal, quotes included.
  mutating func addArguments(index: Int, literal: UnsafeRawBufferPointer) throws {
    add(index: index, id: nil, name: nil)
    try partials[index]!.arguments.append(literal: literal)
  }

  /// Adds a call that arrived whole (Ollama sends arguments as an object).
  mutating func addWhole(index: Int, id: String?, name: String?, arguments: JSON) {
    add(index: index, id: id, name: name)
    partials[index]!.arguments.append(text: arguments.stringValue ?? arguments.compactText)
  }

  /// The calls gathered so far, in the order they started; empties the assembler.
  ///
  /// Arguments that are not valid JSON stay as their raw text (a JSON string), so the tool
  /// loop can tell the model what it sent instead of running the tool with something else.
  mutating func drain() -> [Event.ToolCall] {
    defer {
      partials.removeAll()
      order.removeAll()
    }
    return order.compactMap { index in
      guard var partial = partials[index] else { return nil }
      let bytes = partial.arguments.finish()
      let arguments: JSON
      if bytes.isEmpty {
        arguments = [:]
      } else if let parsed = try? JSON.parse(bytes) {
        arguments = parsed
      } else {
        arguments = .string(String(decoding: bytes, as: UTF8.self))
      }
      return Event.ToolCall(callID: partial.id ?? "call_\(index)", name: partial.name ?? "", arguments: arguments)
    }
  }
}

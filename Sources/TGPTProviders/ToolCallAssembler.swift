import TGPTEvents

/// Joins streamed tool-call fragments into whole calls.
///
/// Fragments are keyed by `index` (never by the last id seen: parallel calls interleave, and
/// the id may arrive after the first fragment); `arguments` are concatenated and parsed once.
struct ToolCallAssembler {
  private struct Partial {
    var id: String?
    var name: String?
    var arguments = ""
  }

  private var partials: [Int: Partial] = [:]
  private var order: [Int] = []

  var isEmpty: Bool { order.isEmpty }

  /// Adds a fragment; any of its parts may be missing.
  mutating func add(index: Int, id: String?, name: String?, arguments: String?) {
    if partials[index] == nil {
      partials[index] = Partial()
      order.append(index)
    }
    if let id, !id.isEmpty { partials[index]!.id = id }
    if let name, !name.isEmpty { partials[index]!.name = name }
    if let arguments { partials[index]!.arguments += arguments }
  }

  /// Adds a call that arrived whole (Ollama sends arguments as an object).
  mutating func addWhole(index: Int, id: String?, name: String?, arguments: JSON) {
    add(index: index, id: id, name: name, arguments: arguments.stringValue ?? arguments.compactText)
  }

  /// The calls gathered so far, in the order they started; empties the assembler.
  mutating func drain() -> [Event.ToolCall] {
    defer {
      partials.removeAll()
      order.removeAll()
    }
    return order.compactMap { index in
      guard let partial = partials[index] else { return nil }
      let text = partial.arguments.isEmpty ? "{}" : partial.arguments
      let arguments = (try? JSON.parse(text)) ?? .string(partial.arguments)
      return Event.ToolCall(callID: partial.id ?? "call_\(index)", name: partial.name ?? "", arguments: arguments)
    }
  }
}

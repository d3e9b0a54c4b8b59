/// The tool calls of a stream as the renderer follows them, without I/O: a label per running
/// call — its name, numbered (`name#2`) while another call of that name runs, so the lines of
/// parallel calls can be told apart — and the output each call has printed, cut into lines as
/// they end.
struct ToolActivity {
  private struct Call {
    var label: String
    /// Output after the last newline: a line not ended yet.
    var pending = ""
    /// Whether any output came (a result whose content is its only output is shown as output).
    var hadOutput = false
    /// The output so far, while it is short enough to keep, so the result need not repeat it.
    var output = ""
    var keptAllOutput = true
  }

  /// How a call ended, for the renderer.
  struct Ending {
    var label: String
    /// The output's last line, not ended by a newline.
    var rest: String?
    var hadOutput: Bool
    /// The part of the result's content not shown as output already: all of it, or what
    /// follows the output when the content starts with it (stderr after stdout, say).
    var unshown: Substring
  }

  /// A line not ended after this many bytes is shown anyway (a tool that never prints a newline
  /// must not grow the renderer without bound).
  static let maxPendingBytes = 16_384
  /// Output kept per call to compare with its result; beyond it the result is shown whole.
  static let maxKeptBytes = 65_536

  /// Running calls by call id.
  private var calls: [String: Call] = [:]
  /// Call ids in the order the calls began (unfinished lines are shown in this order at the end).
  private var order: [String] = []

  /// A call begins; its label.
  mutating func begin(callID: String, name: String) -> String {
    if let known = calls[callID] { return known.label }
    var label = name
    var number = 1
    while calls.values.contains(where: { $0.label == label }) {
      number += 1
      label = "\(name)#\(number)"
    }
    calls[callID] = Call(label: label)
    order.append(callID)
    return label
  }

  /// Output of a call: its label and the lines the output ends (without their newlines).
  /// Output of a call not seen beginning is labelled with its call id.
  mutating func output(callID: String, content: String) -> (label: String, lines: [String]) {
    let label = begin(callID: callID, name: callID)
    // In place: a copy of the call would copy its pending line at every piece.
    return (label, Self.cut(&calls[callID]!, adding: content))
  }

  private static func cut(_ call: inout Call, adding content: String) -> [String] {
    call.hadOutput = true
    if call.keptAllOutput, call.output.utf8.count + content.utf8.count <= maxKeptBytes {
      call.output += content
    } else {
      call.keptAllOutput = false
      call.output = ""
    }
    call.pending += content
    guard content.utf8.contains(0x0A) || call.pending.utf8.count >= maxPendingBytes else { return [] }
    var lines: [String] = []
    var rest = Substring(call.pending)
    while let newline = rest.utf8.firstIndex(of: 0x0A) {
      lines.append(String(rest[..<newline]))
      rest = rest[rest.utf8.index(after: newline)...]
    }
    if rest.utf8.count >= maxPendingBytes {
      lines.append(String(rest))
      rest = ""
    }
    call.pending = String(rest)
    return lines
  }

  /// A call ended with `content` as its result; the label is the result's name for a call not
  /// seen beginning.
  mutating func end(callID: String, name: String, content: String) -> Ending {
    guard let call = calls.removeValue(forKey: callID) else {
      return Ending(label: name, rest: nil, hadOutput: false, unshown: content[...])
    }
    order.removeAll { $0 == callID }
    var unshown = content[...]
    if call.hadOutput, call.keptAllOutput, content.utf8.starts(with: call.output.utf8) {
      unshown = content[content.utf8.index(content.startIndex, offsetBy: call.output.utf8.count)...]
    }
    return Ending(
      label: call.label, rest: call.pending.isEmpty ? nil : call.pending, hadOutput: call.hadOutput, unshown: unshown)
  }

  /// The end of a turn: the unfinished line of each call still running, in the order they
  /// began; every call is forgotten.
  mutating func close() -> [(label: String, line: String)] {
    let rests = order.compactMap { id in calls[id].flatMap { $0.pending.isEmpty ? nil : ($0.label, $0.pending) } }
    calls = [:]
    order = []
    return rests
  }
}

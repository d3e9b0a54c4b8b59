/// Joins what the line editor returns into whole inputs: a line ending in `\` continues on the
/// next (the backslash is dropped, a newline kept), and a bracketed paste (`ESC[200~` … `ESC[201~`)
/// is taken as it is, newlines included, however many lines it spans.
package struct MultilineInput: Sendable {
  private var pending: [String] = []
  private var inPaste = false

  static let pasteStart = "\u{1B}[200~"
  static let pasteEnd = "\u{1B}[201~"

  package init() {}

  /// Whether more lines are expected (the prompt shows a continuation mark).
  package var isContinuing: Bool { !pending.isEmpty || inPaste }

  /// Adds one line; the whole input once it is complete, else nil.
  package mutating func feed(_ line: String) -> String? {
    var text = line
    if let start = text.range(of: Self.pasteStart) {
      text.removeSubrange(start)
      inPaste = true
    }
    if inPaste {
      if let end = text.range(of: Self.pasteEnd) {
        text.removeSubrange(end)
        inPaste = false
      } else {
        pending.append(text)
        return nil
      }
    }
    if text.hasSuffix("\\"), !text.hasSuffix("\\\\") {
      pending.append(String(text.dropLast()))
      return nil
    }
    pending.append(text)
    defer { pending = [] }
    return pending.joined(separator: "\n")
  }

  /// Drops a half-entered input (Ctrl-C at a continuation prompt).
  package mutating func reset() {
    pending = []
    inPaste = false
  }
}

extension String {
  /// The first range of `needle` (plain byte comparison; no Foundation).
  func range(of needle: String) -> Range<String.Index>? {
    guard !needle.isEmpty else { return nil }
    var index = startIndex
    while index < endIndex {
      if self[index...].hasPrefix(needle) { return index..<self.index(index, offsetBy: needle.count) }
      index = self.index(after: index)
    }
    return nil
  }
}

extension DisplayWidth {
  /// The longest start of `text` that takes at most `columns` columns, cut between grapheme
  /// clusters, and the rest. With `progress`, the head has at least one character when `text`
  /// is not empty (when wrapping, a character wider than the row still has to go somewhere).
  static func split(
    _ text: Substring, fitting columns: Int, progress: Bool = true
  ) -> (head: Substring, rest: Substring) {
    var used = 0
    var end = text.startIndex
    while end < text.endIndex {
      let width = of(text[end])
      if used + width > columns, end > text.startIndex || !progress { break }
      used += width
      end = text.index(after: end)
    }
    return (text[..<end], text[end...])
  }

  /// `text` when it fits in `columns`, else as much of its start as fits with "…" after it.
  static func truncate(_ text: String, to columns: Int) -> String {
    let (head, rest) = split(Substring(text), fitting: columns)
    guard !rest.isEmpty else { return text }
    guard columns > 1 else { return "…" }
    return String(split(head, fitting: columns - 1, progress: false).head) + "…"
  }
}

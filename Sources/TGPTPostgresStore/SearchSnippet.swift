/// The part of a message a search hit shows: about 30 characters either side of the first
/// match, each occurrence of a query word in it marked with `[` and `]` (as the SQLite
/// store's snippets are), `…` where text was cut.
enum SearchSnippet {
  static func make(_ content: String, marking words: [String]) -> String {
    let characters = Array(content)
    let folded = characters.map { $0.lowercased() }
    let targets = words.map { Array($0).map { $0.lowercased() } }.filter { !$0.isEmpty }
    // Where each character begins a match, the match's length (the longest word there).
    var matches: [Int: Int] = [:]
    for target in targets where target.count <= folded.count {
      for start in 0...(folded.count - target.count)
      where target.indices.allSatisfy({ folded[start + $0] == target[$0] }) {
        matches[start] = max(matches[start] ?? 0, target.count)
      }
    }
    guard let first = matches.keys.min() else { return String(content.prefix(60)) }
    let from = max(0, first - 30)
    let to = min(characters.count, first + (matches[first] ?? 0) + 30)
    var snippet = from > 0 ? "…" : ""
    var index = from
    while index < to {
      if let length = matches[index] {
        let end = min(index + length, characters.count)
        snippet += "[" + String(characters[index..<end]) + "]"
        index = end
      } else {
        snippet.append(characters[index])
        index += 1
      }
    }
    if index < characters.count { snippet += "…" }
    return snippet
  }
}

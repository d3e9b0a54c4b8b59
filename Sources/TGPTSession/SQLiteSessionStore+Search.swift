import GRDB

/// Full-text search: every word of the query must occur in the message, as a substring and
/// in any case (`日本` finds `日本語`, `rotat` finds `Rotation`).
extension SQLiteSessionStore {
  package func search(_ query: String, limit: Int) async throws -> [SearchHit] {
    let words = query.split(whereSeparator: \.isWhitespace).map(String.init)
    guard !words.isEmpty else { return [] }
    // The trigram index answers words of three characters or more; shorter ones are matched
    // with LIKE on the messages the index leaves (or on all, if every word is short).
    let indexed = words.filter { $0.unicodeScalars.count >= 3 }
    let short = words.filter { $0.unicodeScalars.count < 3 }
    var conditions = ["m.principal = ?"]
    var arguments: [(any DatabaseValueConvertible)?] = [principal]
    if !indexed.isEmpty {
      // Quoted, so FTS syntax in the words (AND, *, quotes) is taken literally.
      conditions.append("message_fts MATCH ?")
      arguments.append(indexed.map { "\"" + $0.replacing("\"", with: "\"\"") + "\"" }.joined(separator: " "))
    }
    for word in short {
      conditions.append(#"m.content LIKE ? ESCAPE '\'"#)
      arguments.append("%" + Self.escapeLike(word) + "%")
    }
    arguments.append(limit)
    let snippet = indexed.isEmpty ? "m.content" : "snippet(message_fts, 0, '[', ']', '…', 48)"
    let source =
      indexed.isEmpty ? "message m" : "message_fts JOIN message m ON m.rowid = message_fts.rowid"
    let sql = """
      SELECT m.session_id, m.seq, m.role, \(snippet) FROM \(source)
      WHERE \(conditions.joined(separator: " AND ")) ORDER BY m.created_at DESC, m.seq DESC LIMIT ?
      """
    let marked = !indexed.isEmpty
    let bound = StatementArguments(arguments)
    return try await read { db in
      let rows = try StatementRows(db, sql, bound)
      var hits: [SearchHit] = []
      while try rows.next() {
        let text = rows.string(3)
        hits.append(
          SearchHit(
            sessionID: rows.string(0), seq: rows.int(1), role: rows.string(2),
            snippet: marked ? text : Self.snippet(text, around: short[0])))
      }
      return hits
    }
  }

  private static func escapeLike(_ word: String) -> String {
    var escaped = ""
    for character in word {
      if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
      escaped.append(character)
    }
    return escaped
  }

  /// About 30 characters either side of the first occurrence of `word`, marked with `[` `]`.
  static func snippet(_ content: String, around word: String) -> String {
    let characters = Array(content)
    let target = Array(word).map { $0.lowercased() }
    guard !target.isEmpty, characters.count >= target.count else { return String(content.prefix(60)) }
    let found = (0...(characters.count - target.count)).first { start in
      target.indices.allSatisfy { characters[start + $0].lowercased() == target[$0] }
    }
    guard let start = found else { return String(content.prefix(60)) }
    let end = start + target.count
    let from = max(0, start - 30)
    let to = min(characters.count, end + 30)
    return (from > 0 ? "…" : "") + String(characters[from..<start]) + "[" + String(characters[start..<end]) + "]"
      + String(characters[end..<to]) + (to < characters.count ? "…" : "")
  }
}

import PostgresNIO
package import TGPTSession

/// Full-text search: every word of the query must match the message.
///
/// Why two ways of matching: the `tsvector` index (the `simple` configuration, over the
/// content with every run of non-alphanumeric characters made a space) answers a word of
/// ASCII letters and digits as a prefix of a word of the message (`rotat` finds `Rotation`,
/// `example` finds `bob@example.com`), fast on any number of messages. It cannot answer
/// substrings: CJK text has no spaces, so `日本語のテキスト` is one token, and `テキスト`
/// is not its prefix; punctuation (`100%`, `"runs"`) is not in it at all. Those words are
/// matched with `ILIKE` (escaped, so `%` and `_` are literal) on the messages the index
/// leaves, or on all messages if no word is indexable. SQLite's trigram index matches every
/// word as a substring; here a word of letters and digits must begin a word (`otat` does not
/// find `Rotation`), which is what people type.
extension PostgresSessionStore {
  package func search(_ query: String, limit: Int) async throws -> [SearchHit] {
    let words = query.split(whereSeparator: \.isWhitespace).map(String.init)
    guard !words.isEmpty, limit > 0 else { return [] }
    let indexed = words.filter(Self.isIndexable)
    let literal = words.filter { !Self.isIndexable($0) }
    var binds = PostgresBindings()
    binds.append(principal)
    var conditions = ["m.principal = $1"]
    if !indexed.isEmpty {
      binds.append(indexed.map { $0 + ":*" }.joined(separator: " & "))
      conditions.append("m.search @@ to_tsquery('simple', $\(binds.count))")
    }
    for word in literal {
      binds.append("%" + Self.escapeLike(word) + "%")
      conditions.append(#"m.content ILIKE $\#(binds.count) ESCAPE '\'"#)
    }
    binds.append(limit)
    let sql = """
      SELECT m.session_id, m.seq, m.role, m.content FROM message m WHERE \(conditions.joined(separator: " AND "))
      ORDER BY m.created_at DESC, m.seq DESC LIMIT $\(binds.count)
      """
    let bound = binds
    return try await perform { connection, logger in
      let rows = try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: bound), logger: logger)
      var hits: [SearchHit] = []
      for row in rows {
        let (sessionID, seq, role, content) = try row.decode((String, Int, String, String).self)
        hits.append(
          SearchHit(sessionID: sessionID, seq: seq, role: role, snippet: SearchSnippet.make(content, marking: words)))
      }
      return hits
    }
  }

  /// Whether the index can answer `word`: ASCII letters and digits only.
  static func isIndexable(_ word: String) -> Bool {
    word.utf8.allSatisfy { byte in
      (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
  }

  static func escapeLike(_ word: String) -> String {
    var escaped = ""
    for character in word {
      if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
      escaped.append(character)
    }
    return escaped
  }
}

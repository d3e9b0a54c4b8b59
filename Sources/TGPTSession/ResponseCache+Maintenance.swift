import GRDB
import TGPTEvents

extension ResponseCache {
  /// Entries, bytes, hits and misses: of `principal`, or of everyone (nil).
  package func stats(principal: String?) async throws -> CacheStats {
    try await write { db in
      var stats = CacheStats()
      let filter = principal == nil ? "" : " WHERE principal = ?"
      let arguments: StatementArguments = principal.map { [$0] } ?? []
      if let row = try Row.fetchOne(
        db, sql: "SELECT COUNT(*), COALESCE(SUM(bytes), 0), MIN(created_ms), MAX(created_ms) FROM entries" + filter,
        arguments: arguments)
      {
        stats.entries = row[0]
        stats.bytes = row[1]
        stats.oldestMs = row[2]
        stats.newestMs = row[3]
      }
      if let row = try Row.fetchOne(
        db, sql: "SELECT COALESCE(SUM(hits), 0), COALESCE(SUM(misses), 0) FROM counters" + filter, arguments: arguments)
      {
        stats.hits = row[0]
        stats.misses = row[1]
      }
      return stats
    }
  }

  /// Removes the entries (and counters) of `principal`, or all (nil); how many entries went.
  @discardableResult
  package func clear(principal: String?) async throws -> Int {
    try await write { db in
      let filter = principal == nil ? "" : " WHERE principal = ?"
      let arguments: StatementArguments = principal.map { [$0] } ?? []
      try db.execute(sql: "DELETE FROM entries" + filter, arguments: arguments)
      let removed = db.changesCount
      try db.execute(sql: "DELETE FROM counters" + filter, arguments: arguments)
      return removed
    }
  }
}

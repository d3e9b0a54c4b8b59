import GRDB

extension DatabaseQueue {
  /// Runs `body` in a transaction of `kind` (IMMEDIATE: concurrent writers wait for each
  /// other rather than fail on upgrade); a failure that is not a `StoreError` is reported as
  /// `StoreError.database`, its text after `context`.
  func transaction<T: Sendable>(
    _ kind: Database.TransactionKind, context: String = "", _ body: @escaping @Sendable (Database) throws -> T
  ) async throws -> T {
    do {
      return try await writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(kind) {
          result = try body(db)
          return .commit
        }
        return result!
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError.database(context + "\(error)")
    }
  }
}

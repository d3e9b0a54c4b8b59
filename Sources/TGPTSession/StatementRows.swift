import GRDB
import GRDBSQLite

/// Reading result rows straight from the SQLite statement. GRDB's `Row` subscripts are generic
/// functions called across modules, unspecialised: a metadata lookup per column read, which
/// made listing 10,000 sessions several times slower than the query itself.
struct StatementRows {
  private let statement: Statement
  private let cursor: RowCursor

  /// The rows of `sql` with `arguments` (the statement is cached per connection).
  init(_ db: Database, _ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
    statement = try db.cachedStatement(sql: sql)
    cursor = try Row.fetchCursor(statement, arguments: arguments)
  }

  /// Steps to the next row; false after the last.
  func next() throws -> Bool { try cursor.next() != nil }

  func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement.sqliteStatement, column)) }

  func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement.sqliteStatement, column) }

  /// The column's text; nil for NULL.
  func text(_ column: Int32) -> String? {
    let handle = statement.sqliteStatement
    guard let bytes = sqlite3_column_text(handle, column) else { return nil }
    let count = Int(sqlite3_column_bytes(handle, column))
    return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
  }

  /// The column's bytes; nil for NULL.
  func blob(_ column: Int32) -> [UInt8]? {
    let handle = statement.sqliteStatement
    guard sqlite3_column_type(handle, column) != SQLITE_NULL else { return nil }
    let count = Int(sqlite3_column_bytes(handle, column))
    guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return [] }
    return Array(UnsafeRawBufferPointer(start: bytes, count: count))
  }

  /// The column's text, empty for NULL (for NOT NULL columns).
  func string(_ column: Int32) -> String { text(column) ?? "" }
}

import Foundation
import GRDB
import TGPTEvents
import TGPTTestPostgres
import Testing

@testable import TGPTSession

/// Attachments in the store, the same on every backend: kept with their message, each
/// content once, replayed, exported and imported, pruned when nothing refers to them.
@Suite struct AttachmentStoreTests {
  static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 40)
  static let picture = Attachment(name: "red.png", mediaType: "image/png", source: .bytes(png))
  static let notes = Attachment(name: "notes.txt", mediaType: "text/plain", source: .bytes(Array("a\nb\n".utf8)))
  static let byURL = Attachment(name: "cat.jpg", mediaType: "image/jpeg", source: .url("https://example.com/cat.jpg"))

  @Test(arguments: StoreBackend.allCases) func attachmentsComeBackWithTheirMessageInOrder(_ backend: StoreBackend)
    async throws
  {
    let store = try await backend.makeStore().store
    let attached = [Self.picture, Self.notes, Self.byURL]
    _ = try await store.beginTurn(
      session: "s", settings: SessionSettings(), message: "look", attachments: attached, replacingLastTurn: false,
      now: 1)
    let history = try await store.history(of: "s").messages
    #expect(history.map(\.attachments) == [attached, []])
    let exported = try #require(try await store.session("s"))
    #expect(exported.messages.map(\.attachments) == [attached, []])
    #expect(try await store.check().isEmpty)
  }

  @Test(arguments: StoreBackend.allCases) func oneContentIsStoredOnceAndPrunedWithItsLastMessage(
    _ backend: StoreBackend
  ) async throws {
    let store = try await backend.makeStore().store
    var renamed = Self.picture
    renamed.name = "copy.png"
    for (session, attachments) in [("a", [Self.picture]), ("a", [renamed]), ("b", [Self.picture, Self.notes])] {
      _ = try await store.beginTurn(
        session: session, settings: SessionSettings(), message: "m", attachments: attachments,
        replacingLastTurn: false, now: 1)
    }
    #expect(try await Self.contents(store, backend) == 2, "the picture three times, the notes once")
    #expect(
      try await store.history(of: "a").messages.filter { $0.role == "user" }.map { $0.attachments[0].name } == [
        "red.png", "copy.png",
      ])
    try await store.remove("b")
    #expect(try await Self.contents(store, backend) == 1, "the notes went with b; a still shows the picture")
    _ = try await store.beginTurn(
      session: "a", settings: SessionSettings(), message: "m", attachments: [], replacingLastTurn: true, now: 2)
    #expect(try await Self.contents(store, backend) == 1, "a's first turn still refers to the picture")
    try await store.remove("a")
    #expect(try await Self.contents(store, backend) == 0)
    #expect(try await store.check().isEmpty)
  }

  @Test(arguments: StoreBackend.allCases) func exportAndImportKeepAttachmentsByteForByte(_ backend: StoreBackend)
    async throws
  {
    let store = try await backend.makeStore().store
    let turn = try await store.beginTurn(
      session: "s", settings: SessionSettings(), message: "look", attachments: [Self.picture, Self.byURL],
      replacingLastTurn: false, now: 1)
    try await store.finishTurn(
      turn, content: "red", status: .complete, model: "m", usage: nil, toolCalls: nil, error: nil, now: 2)
    let lines = try #require(try await store.session("s")).lines
    let first = String(decoding: lines[1], as: UTF8.self)
    #expect(first.contains(#""attachments":[{"name":"red.png","url":"data:image/png;base64,"#))
    let parsed = try lines.map { try JSON.parse(String(decoding: $0, as: UTF8.self)) }
    try await store.importSession(try SessionExport(lines: parsed, id: "copy"))
    #expect(try #require(try await store.session("copy")).lines.dropFirst() == lines.dropFirst())
    #expect(try await Self.contents(store, backend) == 1, "the import found the content already stored")
  }

  @Test func aMissingContentIsReportedByCheck() async throws {
    let store = try await StoreBackend.sqlite.makeStore().store
    _ = try await store.beginTurn(
      session: "s", settings: SessionSettings(), message: "look", attachments: [Self.picture],
      replacingLastTurn: false, now: 1)
    let queue = try DatabaseQueue(path: try Self.sqlitePath(store))
    try await queue.write { try $0.execute(sql: "DELETE FROM attachment") }
    #expect(try await store.check() == ["session s, message 1: the content of attachment red.png is missing"])
    #expect(try await store.history(of: "s").messages[0].attachments.isEmpty, "the turn goes on without it")
  }

  /// How many contents the store holds for the store's principal.
  static func contents(_ store: any SessionStore, _ backend: StoreBackend) async throws -> Int {
    switch backend {
    case .sqlite:
      let queue = try DatabaseQueue(path: try sqlitePath(store))
      return try await queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM attachment") ?? -1 }
    case .postgres:
      let count = try await TestPostgres.sql(
        try await StoreBackend.sharedDatabase(),
        "SELECT count(*) FROM attachment WHERE principal = '\(store.principal)'")
      return Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
  }

  static func sqlitePath(_ store: any SessionStore) throws -> String {
    let sqlite = try #require(store as? SQLiteSessionStore)
    return String(sqlite.lockPath.dropLast(".lock".count))
  }
}

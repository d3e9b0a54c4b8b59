import Foundation
import TGPTEvents
import TGPTPostgresStore
import TGPTSession
import TGPTTestPostgres
import Testing

/// Deleting a session prunes the contents nothing refers to; a message being stored at that
/// moment (in a transaction not yet committed, so invisible to the prune) found its content
/// already there and did not write it. The principal's attachments lock makes the prune wait.
@Suite(.timeLimit(.minutes(5))) struct PostgresAttachmentLockTests {
  @Test func aPruneWaitsForAWriterStoringTheSameContent() async throws {
    let url = try await TestPostgres.database()
    let store = try await PostgresSessionStore.open(PostgresURL(url), principal: "p")
    let picture = AttachmentStoreTests.picture
    _ = try await store.beginTurn(
      session: "old", settings: SessionSettings(), message: "m", attachments: [picture], replacingLastTurn: false,
      now: 1)
    let (column, blobs) = AttachmentColumn.encode([picture])
    let files = FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-lock-\(UUID().uuidString)").path
    let (ready, gate) = (files + ".ready", files + ".gate")
    defer { unlink(ready); unlink(gate) }
    // Another writer, as every writer goes: the lock, the content (already stored: nothing
    // written), the message; then it waits for the gate before committing.
    let writer = Task {
      try await Self.psql(
        url,
        [
          "BEGIN", "SELECT tgpt_lock_attachments('p')",
          "INSERT INTO attachment (principal, sha256, media_type, bytes) VALUES ('p', '\(blobs[0].sha256)', 'image/png', "
            + "'\\x\(Hex.string(blobs[0].bytes))') ON CONFLICT (principal, sha256) DO NOTHING",
          "SELECT * FROM tgpt_begin_turn('p', 'new', 2, NULL, NULL, NULL, NULL, 'm', 'm', false, '\(column ?? "")')",
          "\\! touch \(ready); while [ ! -e \(gate) ]; do sleep 0.05; done", "COMMIT",
        ])
    }
    try await PostgresStoreTests.until("the writer to reach its gate") { FileManager.default.fileExists(atPath: ready) }
    let removed = Guarded(false)
    let remove = Task {
      try await store.remove("old")
      removed.withLock { $0 = true }
    }
    // The delete either waits for the writer's lock or, without one, is done before it commits.
    try await PostgresStoreTests.until("the delete to wait or finish") {
      try await PostgresStoreTests.waitingLocks(url) > 0 || removed.withLock { $0 }
    }
    _ = FileManager.default.createFile(atPath: gate, contents: nil)
    try await writer.value
    try await remove.value
    #expect(try await store.check().isEmpty)
    #expect(try await store.history(of: "new").messages.first?.attachments == [picture])
  }

  /// psql running `commands` in one session, on a thread of its own.
  static func psql(_ url: String, _ commands: [String]) async throws {
    let plain = url.split(separator: "?").first.map(String.init) ?? url
    let pid = try ChildSpawn.start(
      ["/usr/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", plain] + commands.flatMap { ["-c", $0] },
      stdin: .null, stdout: .null, stderr: .inherit)
    let status = await DedicatedThread.run { ChildSpawn.waitForExit(pid) }
    #expect(status == 0, "psql exited \(status)")
  }
}

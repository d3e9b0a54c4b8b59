import Foundation
import TGPTEvents
import TGPTPostgresStore
import TGPTSession
import TGPTTestPostgres
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// What only the PostgreSQL store has: migrations, locks across clients, a server that goes
/// away and comes back.
@Suite(.timeLimit(.minutes(5))) struct PostgresStoreTests {
  static func open(_ url: String, principal: String = "default") async throws -> PostgresSessionStore {
    try await PostgresSessionStore.open(PostgresURL(url), principal: principal)
  }

  @Test func migrationsRunOnceAcrossOpensAndConcurrentOpens() async throws {
    let url = try await TestPostgres.database()
    let first = try await Self.open(url)
    try await recordTurn(first, "s", "kept")
    _ = try await Self.open(url)
    #expect(try await TestPostgres.sql(url, "SELECT count(*), max(version) FROM tgpt_migrations") == "2|2\n")
    #expect(try await first.session("s")?.messages.count == 2, "a second open changes nothing")

    let fresh = try await TestPostgres.database()
    try await withThrowingTaskGroup(of: Void.self) { group in
      for index in 0..<4 {
        group.addTask { try await recordTurn(try await Self.open(fresh), "s\(index)", "hi") }
      }
      try await group.waitForAll()
    }
    #expect(try await TestPostgres.sql(fresh, "SELECT count(*), max(version) FROM tgpt_migrations") == "2|2\n")
    #expect(try await Self.open(fresh).list(limit: nil).count == 4)
  }

  /// The number of advisory locks in `url`'s database that are waited for (not granted).
  static func waitingLocks(_ url: String) async throws -> Int {
    let name = String(url.split(separator: "/").last!.split(separator: "?").first!)
    let count = try await TestPostgres.sql(
      url,
      """
      SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = '\(name)'
      """)
    return Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
  }

  /// Waits until `condition` holds; fails the test, naming `what`, after two minutes (a
  /// deadline for a hang, far from any honest wait).
  static func until(
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
  ) async throws {
    let deadline = ContinuousClock.now + .seconds(120)
    while try await !condition() {
      guard ContinuousClock.now < deadline else {
        Issue.record("still waiting for \(what)", sourceLocation: sourceLocation)
        throw CancellationError()
      }
      try await Task.sleep(for: .milliseconds(20))
    }
  }

  @Test func aTurnLockHeldByOneClientMakesAnotherWait() async throws {
    let url = try await TestPostgres.database()
    let (one, other) = (try await Self.open(url), try await Self.open(url))
    let held = try await one.lockTurns(of: "s")
    let waiting = Flag()
    let acquired = Flag()
    let waiter = Task {
      let lease = try await other.lockTurns(of: "s") { waiting.set() }
      acquired.set()
      return lease
    }
    // Its first try either succeeds (a broken lock) or finds the lock taken.
    try await Self.until("the waiter to wait") { waiting.isSet || acquired.isSet }
    #expect(!acquired.isSet, "the other client waits")
    try await Self.until("a waiter on the server") { try await Self.waitingLocks(url) == 1 || acquired.isSet }
    #expect(!acquired.isSet, "on the server's lock")
    await (held as? PostgresTurnLease)?.release()
    let lease = try await waiter.value
    #expect(acquired.isSet)
    withExtendedLifetime(lease) {}
  }

  @Test func aLockIsReleasedWhenItsHoldersConnectionIsKilled() async throws {
    let url = try await TestPostgres.database()
    let (one, other) = (try await Self.open(url), try await Self.open(url))
    let held = try await one.lockTurns(of: "s")
    let name = String(url.split(separator: "/").last!.split(separator: "?").first!)
    // As when the holder's process is killed: its connection ends.
    let killed = try await TestPostgres.sql(
      url,
      """
      SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND l.granted AND d.datname = '\(name)'
      """)
    #expect(killed == "1\n")
    let lease = try await other.lockTurns(of: "s")
    withExtendedLifetime((held, lease)) {}
  }

  @Test func aCancelledWaitLeavesNoWaiterBehind() async throws {
    let url = try await TestPostgres.database()
    let (one, other) = (try await Self.open(url), try await Self.open(url))
    let held = try await one.lockTurns(of: "s")
    let acquired = Flag()
    let ended = Flag()
    let waiter = Task {
      defer { ended.set() }
      let lease = try await other.lockTurns(of: "s")
      acquired.set()
      return lease
    }
    try await Self.until("a waiter on the server") { try await Self.waitingLocks(url) == 1 || ended.isSet }
    if ended.isSet {
      Issue.record("the waiter ended without waiting: \(await waiter.result)")
      return
    }
    waiter.cancel()
    await #expect(throws: CancellationError.self) { _ = try await waiter.value }
    try await Self.until("no waiter on the server") { try await Self.waitingLocks(url) == 0 }
    await (held as? PostgresTurnLease)?.release()
    // Nobody took it meanwhile: the next lock is granted at once.
    let waitedAgain = Flag()
    let lease = try await other.lockTurns(of: "s") { waitedAgain.set() }
    #expect(!waitedAgain.isSet)
    withExtendedLifetime(lease) {}
  }

  @Test func aCancelledWaitInOneProcessLeavesNoWaiterBehind() async throws {
    let store = try await Self.open(try await TestPostgres.database())
    let held = try await store.lockTurns(of: "s")
    let waiting = Flag()
    let waiter = Task { try await store.lockTurns(of: "s") { waiting.set() } }
    try await Self.until("the waiter to wait") { waiting.isSet }
    waiter.cancel()
    await #expect(throws: CancellationError.self) { _ = try await waiter.value }
    await (held as? PostgresTurnLease)?.release()
    let waitedAgain = Flag()
    let lease = try await store.lockTurns(of: "s") { waitedAgain.set() }
    #expect(!waitedAgain.isSet, "the cancelled waiter did not take the lock")
    withExtendedLifetime(lease) {}
  }

  @Test func aServerThatNeverAnswersFailsWithinTheConnectTimeout() async throws {
    // A socket that listens but never accepts: the connection is made, the answer never comes.
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(listener) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(listener, pointer, length) == 0 && listen(listener, 8) == 0
          && getsockname(listener, pointer, &length) == 0
      }
    }
    try #require(bound)
    let port = UInt16(bigEndian: address.sin_port)
    for mode in ["disable", "require"] {
      do {
        _ = try await Self.open("postgres://tgpt@127.0.0.1:\(port)/x?connect_timeout=2&sslmode=\(mode)")
        Issue.record("opened a store on a server that never answers")
      } catch let error as StoreError {
        #expect(error.kind == .unavailable, "\(error)")
        #expect(error.description.contains("127.0.0.1:\(port)") && error.description.contains("no answer"), "\(error)")
      }
    }
  }

  @Test func anUnreachableServerIsUnavailableAndNamed() async throws {
    for _ in 0..<2 {
      do {
        _ = try await Self.open("postgres://tgpt@127.0.0.1:1/x?connect_timeout=2")
        Issue.record("opened a store on a closed port")
      } catch let error as StoreError {
        #expect(error.kind == .unavailable)
        #expect(error.description.contains("127.0.0.1:1") && error.description.contains("refused"), "\(error)")
      }
    }
    let server = try await TestPostgres.server()
    do {
      _ = try await Self.open(server.url(database: "no_such_database"))
      Issue.record("opened a database that does not exist")
    } catch let error as StoreError {
      #expect(error.kind == .config, "\(error)")
      #expect(error.description.contains("no_such_database"), "\(error)")
    }
  }

  @Test func theNextCallAfterARestartSucceedsAndNothingIsLost() async throws {
    let server = try await TestPostgres.start()
    let store = try await Self.open(server.url + "?sslmode=disable&" + TestPostgres.patience)
    try await recordTurn(store, "kept", "words that must survive")
    // A lock held across the restart, and one whose connection waits idle for the next turn.
    let held = try await store.lockTurns(of: "kept")
    await (try await store.lockTurns(of: "idle") as? PostgresTurnLease)?.release()
    try await TestPostgres.pause(server)
    let endpoint = String(server.url.split(separator: "@")[1].split(separator: "/")[0])
    do {
      _ = try await store.list(limit: nil)
      Issue.record("a call while the server is down succeeded")
    } catch let error as StoreError {
      #expect(error.kind == .unavailable, "\(error)")
      #expect(error.description.contains(endpoint), "\(error)")
    }
    await #expect(throws: StoreError.self) { _ = try await store.lockTurns(of: "other") }
    // Its connection is gone: releasing it returns (and frees the session in this process).
    await (held as? PostgresTurnLease)?.release()
    try await TestPostgres.resume(server)
    #expect(try await store.list(limit: nil).map(\.id) == ["kept"])
    #expect(try await store.search("survive", limit: 5).count == 2, "question and answer")
    let lease = try await store.lockTurns(of: "kept")
    try await recordTurn(store, "kept", "and more")
    withExtendedLifetime(lease) {}
    try await TestPostgres.stop(server)
  }

  @Test func sslModesAreHonoured() async throws {
    let server = try await TestPostgres.server()
    for (mode, encrypted) in [("require", "t"), ("disable", "f"), ("prefer", "t")] {
      let url = try await TestPostgres.database(query: "sslmode=\(mode)")
      let store = try await Self.open(url)
      _ = try await store.list(limit: nil)
      let name = String(url.split(separator: "/").last!.split(separator: "?").first!)
      let seen = try await TestPostgres.sql(
        server.url,
        """
        SELECT DISTINCT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
        WHERE a.datname = '\(name)' AND a.application_name = 'tgpt'
        """)
      #expect(seen == encrypted + "\n", "sslmode=\(mode)")
    }
    // The test server's certificate is self-signed: no system CA vouches for it.
    let url = try await TestPostgres.database(query: "sslmode=verify-full")
    await #expect(throws: StoreError.self) { _ = try await Self.open(url) }
  }

  @Test func searchOfAWordUsesTheIndex() async throws {
    let url = try await TestPostgres.database()
    _ = try await Self.open(url)
    let plan = try await TestPostgres.sql(
      url,
      """
      SET enable_seqscan = off;
      EXPLAIN SELECT seq FROM message m WHERE m.search @@ to_tsquery('simple', 'rotat:*')
      """)
    #expect(plan.contains("message_search"), "\(plan)")
  }
}

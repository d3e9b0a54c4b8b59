import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization
import TGPTEvents
import TGPTSession

/// What every view of one PostgreSQL store shares (`PostgresSessionStore.scoped(to:)`): the
/// connection pool and the task that runs it, the settings of the connections that hold turn
/// locks, and the idle ones of those.
final class PostgresStoreCore: Sendable {
  let url: PostgresURL
  let logger: Logger
  private let clientConfiguration: PostgresClient.Configuration
  /// The pool, and the task that runs `client.run()` (the pool works only while it runs),
  /// cancelled by `shutdown()` or when the last view of the store goes away. A pool that
  /// gave up on the server is replaced (see `perform`).
  private let pool = Guarded<(client: PostgresClient, runner: Task<Void, Never>?, closed: Bool)?>(nil)
  /// Dedicated connections (turn locks, set-up, probes) are made with this.
  let connectionConfiguration: PostgresConnection.Configuration
  /// Connections that held a turn lock and may hold the next (see `PostgresTurnLease`).
  let idleLockConnections = Guarded<[LockConnection]>([])
  let localTurns = LocalTurnQueue()
  private let nextConnectionID = Atomic<Int>(1)
  let probes = Guarded<Task<(any Error)?, Never>?>(nil)
  /// When a probe last reached the server.
  let lastReached = Guarded<ContinuousClock.Instant?>(nil)

  init(url: PostgresURL, logger: Logger) throws(StoreError) {
    self.url = url
    self.logger = logger
    let tls: (pool: PostgresClient.Configuration.TLS, connection: PostgresConnection.Configuration.TLS)
    do {
      tls = try Self.tls(url.sslMode)
    } catch {
      throw .configuration("cannot set up TLS for \(url.endpoint): \(error)")
    }
    var configuration = PostgresClient.Configuration(
      host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
      tls: tls.pool)
    configuration.options.connectTimeout = .seconds(url.connectTimeout)
    configuration.options.additionalStartupParameters = [("application_name", "tgpt")]
    clientConfiguration = configuration
    var dedicated = PostgresConnection.Configuration(
      host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
      tls: tls.connection)
    dedicated.options.connectTimeout = .seconds(Int64(url.connectTimeout))
    dedicated.options.additionalStartupParameters = [("application_name", "tgpt-turn-lock")]
    connectionConfiguration = dedicated
  }

  deinit {
    pool.withLock { $0?.runner?.cancel() }
    for idle in idleLockConnections.withLock({ $0 }) { Self.closeSoon(idle.connection) }
  }

  /// Starts the pool.
  func start() { _ = replacePool(unless: nil) }

  /// The pool now (nil once the store is shut down).
  private var client: PostgresClient? { pool.withLock { $0?.closed == false ? $0?.client : nil } }

  /// Starts a new pool and ends the old one, unless the pool is no longer `current` (another
  /// call replaced it already) or the store is shut down; the pool to use.
  private func replacePool(unless current: PostgresClient?) -> PostgresClient? {
    let (client, old) = pool.withLock { state -> (PostgresClient?, Task<Void, Never>?) in
      if let state, state.closed || (current != nil && state.client !== current) {
        return (state.closed ? nil : state.client, nil)
      }
      let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
      let old = state?.runner
      state = (client, Task { await client.run() }, false)
      return (client, old)
    }
    old?.cancel()
    return client
  }

  /// Ends the pool's task and closes the idle lock connections; calls after this fail.
  func shutdown() async {
    let task = pool.withLock { state in
      defer { state?.closed = true }
      return state?.runner
    }
    task?.cancel()
    await task?.value
    let idle = idleLockConnections.withLock { idle in
      defer { idle.removeAll() }
      return idle
    }
    for lock in idle { try? await lock.connection.close() }
  }

  /// Closes `connection` without waiting. It is kept until it has closed: postgres-nio
  /// insists that a connection is closed before it goes away.
  static func closeSoon(_ connection: PostgresConnection) {
    let closing: EventLoopFuture<Void> = connection.close()
    closing.whenComplete { _ in withExtendedLifetime(connection) {} }
  }

  /// A new connection outside the pool (closed by the caller).
  func connect() async throws(StoreError) -> PostgresConnection {
    let id = nextConnectionID.add(1, ordering: .relaxed).newValue
    let configuration = connectionConfiguration
    let logger = logger
    do {
      return try await withDeadline(seconds: url.connectTimeout + 1) {
        let connection = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
        // Made just as the deadline passed: nobody will use it.
        if Task.isCancelled {
          try? await connection.close()
          throw CancellationError()
        }
        return connection
      }
    } catch {
      throw failure(error, connecting: true)
    }
  }

  /// Runs `body` on a pooled connection. A pool that cannot lease one waits for the server
  /// to come back; this does not: when no connection comes within half a second, a
  /// connection of its own tells whether the server is there, and if it is not, the call
  /// fails (`unavailable`) naming why, instead of waiting.
  func perform<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
    guard let client else { throw StoreError.database("the store \(url.endpoint) was closed") }
    do {
      return try await perform(on: client, body)
    } catch let error as PoolGaveUp {
      // A pool whose connections failed for a minute stops trying for up to a minute more
      // and fails every lease at once (postgres-nio's circuit breaker), though the server may
      // be back. When a connection of our own gets through, a new pool serves the call (which
      // never reached the server: running it again repeats nothing).
      if let why = await probe() { throw failure(why, connecting: true) }
      guard let fresh = replacePool(unless: client), fresh !== client else {
        throw failure(error.underlying, connecting: true)
      }
      do {
        return try await perform(on: fresh, body)
      } catch let again as PoolGaveUp {
        throw failure(again.underlying, connecting: true)
      }
    }
  }

  /// The pool failed a lease at once, without waiting (the call never reached the server).
  private struct PoolGaveUp: Error {
    let underlying: any Error
  }

  private func perform<T: Sendable>(
    on client: PostgresClient, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
  ) async throws -> T {
    let leased = Leased()
    do {
      return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
          try await client.withConnection { connection in
            leased.set()
            return try await body(connection)
          }
        }
        group.addTask {
          try await self.watch { leased.isSet }
          return nil
        }
        while let result = try await group.next() {
          if let value = result {
            group.cancelAll()
            return value
          }
        }
        throw CancellationError()
      }
    } catch let error as StoreError {
      throw error
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      if !leased.isSet { throw PoolGaveUp(underlying: error) }
      throw failure(error, connecting: false)
    }
  }

  private static func tls(_ mode: PostgresURL.SSLMode) throws -> (
    pool: PostgresClient.Configuration.TLS, connection: PostgresConnection.Configuration.TLS
  ) {
    var configuration = TLSConfiguration.makeClientConfiguration()
    switch mode {
    case .disable: return (.disable, .disable)
    case .prefer, .require: configuration.certificateVerification = .none
    case .verifyCA: configuration.certificateVerification = .noHostnameVerification
    case .verifyFull: configuration.certificateVerification = .fullVerification
    }
    let context = try NIOSSLContext(configuration: configuration)
    return mode == .prefer
      ? (.prefer(configuration), .prefer(context)) : (.require(configuration), .require(context))
  }
}

/// `body`, or a `DeadlineError` if it takes longer than `seconds`.
func withDeadline<T: Sendable>(seconds: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
  try await withThrowingTaskGroup(of: T?.self) { group in
    group.addTask { try await body() }
    group.addTask {
      try await Task.sleep(for: .seconds(seconds))
      throw DeadlineError(seconds: seconds)
    }
    defer { group.cancelAll() }
    guard let value = try await group.next() ?? nil else { throw CancellationError() }
    return value
  }
}

/// Whether a call has its pooled connection yet.
private final class Leased: Sendable {
  private let state = Atomic<Bool>(false)
  func set() { state.store(true, ordering: .releasing) }
  var isSet: Bool { state.load(ordering: .acquiring) }
}

/// A deadline passed.
struct DeadlineError: Error, CustomStringConvertible {
  let seconds: Int
  var description: String { "no answer within \(seconds) s" }
}

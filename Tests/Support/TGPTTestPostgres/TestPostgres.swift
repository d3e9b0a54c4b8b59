import Foundation
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// A real PostgreSQL server for the tests, started by Scripts/test-postgres.sh: one per test
/// process, started when a test first asks for it and shared by all (each test uses its own
/// database or its own principal), stopped when the process exits (and by the script's
/// watchdog if the process is killed).
public enum TestPostgres {
  /// A running server.
  public struct Server: Sendable {
    /// `postgres://tgpt@127.0.0.1:PORT/postgres` (trust authentication, TLS offered).
    public let url: String
    /// Its directory, for `Scripts/test-postgres.sh pause|resume|stop`.
    public let directory: String

    /// The URL of database `name` on this server.
    public func url(database name: String, query: String = "") -> String {
      String(url.dropLast("postgres".count)) + name + (query.isEmpty ? "" : "?" + query)
    }
  }

  private static let shared = Guarded<Task<Server, any Error>?>(nil)
  private static let stopAtExit = Guarded<[String]>([])

  /// The process's shared server.
  public static func server() async throws -> Server {
    let task = shared.withLock { task in
      if let task { return task }
      let started = Task { try await start() }
      task = started
      return started
    }
    return try await task.value
  }

  /// A new server of one's own (for tests that stop it); stopped at exit too.
  public static func start() async throws -> Server {
    let output = try await run(script, ["start", "--owner", String(getpid())])
    let lines = output.split(separator: "\n").map(String.init)
    guard lines.count >= 2 else { throw Failure(description: "test-postgres.sh start printed: \(output)") }
    let server = Server(url: lines[0], directory: lines[1])
    let first = stopAtExit.withLock { directories in
      directories.append(server.directory)
      return directories.count == 1
    }
    if first { atexit { TestPostgres.stopAll() } }
    return server
  }

  /// What the tests' URLs add: a server on a loaded machine (the whole suite, CPU hogs) was
  /// seen to take more than the default 5 s to accept a connection. A server that is down
  /// still fails at once: its port refuses.
  public static let patience = "connect_timeout=60"

  /// A new, empty database on the shared server; its URL (with `query` and `patience`
  /// appended).
  public static func database(query: String = "sslmode=disable") async throws -> String {
    let server = try await server()
    let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    _ = try await sql(server.url, "CREATE DATABASE \(name)")
    return server.url(database: name, query: query + "&" + patience)
  }

  /// Runs `statement` with psql on `url`; its output (unaligned, tuples only).
  @discardableResult
  public static func sql(_ url: String, _ statement: String) async throws -> String {
    let plain = url.split(separator: "?").first.map(String.init) ?? url
    return try await run("/usr/bin/psql", ["-X", "-v", "ON_ERROR_STOP=1", "-Atq", "-d", plain, "-c", statement])
  }

  /// Stops `server` (fast shutdown), keeping its data.
  public static func pause(_ server: Server) async throws { _ = try await run(script, ["pause", server.directory]) }

  /// Stops `server` and removes its files.
  public static func stop(_ server: Server) async throws { _ = try await run(script, ["stop", server.directory]) }

  /// Starts a paused `server` again on its port.
  public static func resume(_ server: Server) async throws { _ = try await run(script, ["resume", server.directory]) }

  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scripts/test-postgres.sh").path

  private static func stopAll() {
    for directory in stopAtExit.withLock({ $0 }) { _ = system("'\(script)' stop '\(directory)' >/dev/null 2>&1") }
  }

  /// Runs a program to its end, waiting on a thread of its own; its stdout, or a failure with
  /// its stderr.
  static func run(_ path: String, _ arguments: [String]) async throws -> String {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-pg-\(UUID().uuidString)").path
    // Files, not pipes: a server the script starts in the background must not hold them open.
    let out = open(base + ".out", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    let err = open(base + ".err", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    defer {
      close(out)
      close(err)
      unlink(base + ".out")
      unlink(base + ".err")
    }
    let pid = try ChildSpawn.start([path] + arguments, stdin: .null, stdout: .descriptor(out), stderr: .descriptor(err))
    let status = await DedicatedThread.run { ChildSpawn.waitForExit(pid) }
    let stdout = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
    guard status == 0 else {
      let stderr = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
      throw Failure(description: "\(path) \(arguments.joined(separator: " ")) exited \(status): \(stderr)")
    }
    return stdout
  }

  public struct Failure: Error, CustomStringConvertible {
    public let description: String
  }
}

import Foundation
import TGPTEvents
import Testing

/// A program that runs alongside a test (a server): its stderr is collected, and a thread of
/// its own waits for its exit, so the test can stop it and await its status.
final class RunningProcess: Sendable {
  let pid: pid_t
  private let errors = Collected()
  private let exit = ProcessEnd()

  /// Starts the program with stdin from /dev/null, or with `keepStdinOpen` a pipe never
  /// written nor closed (a program that ends at end of input then lives as long as the test
  /// process). `firstLine` is what it printed first on stdout (a server's address), read
  /// before this returns; the rest of stdout is discarded. A program that prints no line
  /// within two minutes is killed and the start fails.
  static func start(
    _ path: String, _ arguments: [String], env: [String: String], keepStdinOpen: Bool = false
  ) async throws -> (process: RunningProcess, firstLine: String) {
    try await DedicatedThread.run { () throws(Spawn.Failure) -> (process: RunningProcess, firstLine: String) in
      let started = try Spawn.start(path, arguments, env: env, pipeStdin: keepStdinOpen)
      let process = RunningProcess(started)
      guard let line = Spawn.firstLine(started.stdout) else {
        kill(started.pid, SIGKILL)
        close(started.stdout)
        throw Spawn.Failure(description: "\(path) printed no first line; its stderr: \(process.stderr)")
      }
      DedicatedThread.start { Spawn.drain(started.stdout, into: nil) }
      return (process, line)
    }
  }

  /// Starts the program with nobody to hear it: the reader of its stdout is closed before
  /// `input` is written to its stdin (which is then closed), so whatever it reads, it reads
  /// after its reader has gone.
  static func startUnheard(
    _ path: String, _ arguments: [String], env: [String: String], input: String
  ) async throws -> RunningProcess {
    try await DedicatedThread.run { () throws(Spawn.Failure) -> RunningProcess in
      let started = try Spawn.start(path, arguments, env: env, pipeStdin: true)
      close(started.stdout)
      let process = RunningProcess(started)
      // A program that already ended takes no input: its exit status tells the test.
      Spawn.withSIGPIPEBlocked { try? FileIO.writeAll(started.stdin, input) }
      close(started.stdin)
      return process
    }
  }

  private init(_ started: Spawn.Started) {
    pid = started.pid
    DedicatedThread.start { [errors] in Spawn.drain(started.stderr, into: errors) }
    DedicatedThread.start { [exit] in exit.record(ChildSpawn.waitForExit(started.pid)) }
  }

  /// What it wrote on stderr so far.
  var stderr: String { errors.text }

  var isRunning: Bool { exit.known == nil }

  /// Sends `signal` (while it runs).
  func signal(_ signal: Int32) {
    if isRunning { kill(pid, signal) }
  }

  /// Waits for it to exit: its status, or 128 + the signal that ended it. One that is still
  /// running after two minutes is recorded as an issue and killed.
  func exitStatus(sourceLocation: SourceLocation = #_sourceLocation) async -> Int32 {
    if let status = await exit.value(within: .seconds(120)) { return status }
    Issue.record("pid \(pid) was still running two minutes later; killed", sourceLocation: sourceLocation)
    kill(pid, SIGKILL)
    return await exit.value(within: .seconds(120)) ?? -1
  }

  deinit { if isRunning { kill(pid, SIGKILL) } }
}

/// Bytes collected from a pipe while a program runs.
final class Collected: Sendable {
  private let data = Guarded(Data())

  func append(_ bytes: ArraySlice<UInt8>) { data.withLock { $0.append(contentsOf: bytes) } }

  var bytes: Data { data.withLock { $0 } }
  var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A process's exit status, once it is known, for any number of waiting tasks.
final class ProcessEnd: Sendable {
  /// One waiting task, resumed once: by the status or by its deadline.
  private final class Waiter: Sendable {
    private let continuation: Guarded<CheckedContinuation<Int32?, Never>?>
    init(_ continuation: CheckedContinuation<Int32?, Never>) { self.continuation = Guarded(continuation) }
    func resume(_ status: Int32?) {
      let pending = continuation.withLock { value in
        defer { value = nil }
        return value
      }
      pending?.resume(returning: status)
    }
  }

  private let state = Guarded<(status: Int32?, waiters: [Waiter])>((nil, []))

  /// Records the status and resumes the waiters.
  func record(_ status: Int32) {
    let waiters = state.withLock { state in
      state.status = status
      defer { state.waiters = [] }
      return state.waiters
    }
    for waiter in waiters { waiter.resume(status) }
  }

  var known: Int32? { state.withLock { $0.status } }

  /// The status, once recorded; nil if it is not within `limit`.
  func value(within limit: Duration) async -> Int32? {
    await withCheckedContinuation { continuation in
      let waiter = Waiter(continuation)
      let status = state.withLock { state -> Int32? in
        if state.status == nil { state.waiters.append(waiter) }
        return state.status
      }
      if let status {
        waiter.resume(status)
        return
      }
      Task {
        try? await Task.sleep(for: limit)
        waiter.resume(nil)
      }
    }
  }
}

import Foundation
import Synchronization
import TGPTEvents

/// Starting programs for the tests, without Foundation's `Process`: every wait (for output,
/// for exit) happens on a thread of its own, never on the two threads of the concurrency
/// pool, which the other tests of the run need.
enum Spawn {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// A started program and our ends of its pipes (-1 where it has none).
  struct Started {
    let pid: pid_t
    let stdin: Int32
    let stdout: Int32
    let stderr: Int32
  }

  /// Starts `path` with `arguments` and exactly `env`. The child gets default signal handling
  /// and an empty signal mask (the test runner blocks SIGCHLD, and a child inheriting that —
  /// tmux, say — misbehaves); `pipeStdin` false gives it /dev/null, and so do
  /// `detachedOutput` and `captureStderr` false for its output. `processGroup` puts it in a
  /// group of its own, so a hung pipeline can be killed whole.
  static func start(
    _ path: String, _ arguments: [String], env: [String: String], pipeStdin: Bool, captureStderr: Bool = true,
    detachedOutput: Bool = false, processGroup: Bool = false
  ) throws(Failure) -> Started {
    // Close-on-exec from the start: a program another test starts meanwhile must not inherit
    // these ends and hold the pipes open.
    func makePipe(_ wanted: Bool) throws(Failure) -> [Int32] {
      guard wanted else { return [-1, -1] }
      guard let ends = FileIO.makePipe() else {
        throw Failure(description: "pipe: \(String(cString: strerror(errno)))")
      }
      return [ends.read, ends.write]
    }
    let input = try makePipe(pipeStdin)
    let output = try makePipe(!detachedOutput)
    let errors = try makePipe(captureStderr)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if pipeStdin {
      posix_spawn_file_actions_adddup2(&actions, input[0], 0)
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    if detachedOutput {
      posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    } else {
      posix_spawn_file_actions_adddup2(&actions, output[1], 1)
    }
    if captureStderr {
      posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
    } else {
      posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    sigdelset(&all, SIGKILL)
    sigdelset(&all, SIGSTOP)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
    if processGroup {
      posix_spawnattr_setpgroup(&attributes, 0)
      flags |= POSIX_SPAWN_SETPGROUP
    }
    posix_spawnattr_setflags(&attributes, Int16(flags))

    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var pid = pid_t()
    let spawned = posix_spawnp(&pid, path, &actions, &attributes, argv, envp)
    for fd in [input[0], output[1], errors[1]] where fd >= 0 { close(fd) }
    guard spawned == 0 else {
      for fd in [input[1], output[0], errors[0]] where fd >= 0 { close(fd) }
      throw Failure(description: "cannot start \(path): \(String(cString: strerror(spawned)))")
    }
    return Started(pid: pid, stdin: input[1], stdout: output[0], stderr: errors[0])
  }

  /// Waits for `pid` to end (blocking): its exit status, or 128 + the signal that ended it.
  static func waitForExit(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      if errno != EINTR { return -1 }
    }
    return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
  }

  /// Reads `fd` up to its first newline, byte by byte so nothing after it is taken (blocking).
  static func firstLine(_ fd: Int32) -> String {
    var line: [UInt8] = []
    var byte: UInt8 = 0
    while true {
      let count = read(fd, &byte, 1)
      if count < 0, errno == EINTR { continue }
      if count <= 0 || byte == 0x0A { break }
      line.append(byte)
    }
    return String(decoding: line, as: UTF8.self)
  }

  /// Reads `fd` to its end, appending to `sink` as bytes arrive (blocking), then closes it.
  static func drain(_ fd: Int32, into sink: Collected?) {
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if count < 0, errno == EINTR { continue }
      if count <= 0 { break }
      sink?.append(buffer[..<count])
    }
    close(fd)
  }
}

/// Bytes collected from a pipe while a program runs.
final class Collected: Sendable {
  private let data = Mutex(Data())

  func append(_ bytes: ArraySlice<UInt8>) { data.withLock { $0.append(contentsOf: bytes) } }

  var bytes: Data { data.withLock { $0 } }
  var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A process's exit status, once it is known, for any number of waiting tasks.
final class ProcessEnd: Sendable {
  private let state = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

  /// Records the status and resumes the waiters.
  func record(_ status: Int32) {
    let waiters = state.withLock { state in
      state.status = status
      defer { state.waiters = [] }
      return state.waiters
    }
    for waiter in waiters { waiter.resume(returning: status) }
  }

  var known: Int32? { state.withLock { $0.status } }

  /// The status, once recorded.
  func value() async -> Int32 {
    await withCheckedContinuation { continuation in
      let status = state.withLock { state -> Int32? in
        if state.status == nil { state.waiters.append(continuation) }
        return state.status
      }
      if let status { continuation.resume(returning: status) }
    }
  }
}

/// A program that runs alongside a test (a server): its stderr is collected, and a thread of
/// its own waits for its exit, so the test can stop it and await its status.
final class RunningProcess: Sendable {
  let pid: pid_t
  private let errors = Collected()
  private let exit = ProcessEnd()

  /// Starts the program with stdin from /dev/null, or with `keepStdinOpen` a pipe never
  /// written nor closed (a program that ends at end of input then lives as long as the test
  /// process). `firstLine` is what it printed first on stdout (a server's address), read
  /// before this returns; the rest of stdout is discarded.
  static func start(
    _ path: String, _ arguments: [String], env: [String: String], keepStdinOpen: Bool = false
  ) async throws -> (process: RunningProcess, firstLine: String) {
    try await DedicatedThread.run { () throws(Spawn.Failure) -> (process: RunningProcess, firstLine: String) in
      let started = try Spawn.start(path, arguments, env: env, pipeStdin: keepStdinOpen)
      let process = RunningProcess(started)
      let line = Spawn.firstLine(started.stdout)
      DedicatedThread.start { Spawn.drain(started.stdout, into: nil) }
      return (process, line)
    }
  }

  private init(_ started: Spawn.Started) {
    pid = started.pid
    DedicatedThread.start { [errors] in Spawn.drain(started.stderr, into: errors) }
    DedicatedThread.start { [exit] in exit.record(Spawn.waitForExit(started.pid)) }
  }

  /// What it wrote on stderr so far.
  var stderr: String { errors.text }

  var isRunning: Bool { exit.known == nil }

  /// Sends `signal` (while it runs).
  func signal(_ signal: Int32) {
    if isRunning { kill(pid, signal) }
  }

  /// Waits for it to exit: its status, or 128 + the signal that ended it.
  func exitStatus() async -> Int32 { await exit.value() }

  deinit { if isRunning { kill(pid, SIGKILL) } }
}

extension Spawn {
  /// How `runToEnd` feeds and watches a program.
  struct Feed {
    /// Bytes for its stdin; nil gives it /dev/null.
    var stdin: [UInt8]?
    /// Leave stdin open after the bytes, until the program has closed its output.
    var keepStdinOpen = false
    /// Sent once stdout holds `signalAfter` lines.
    var signal: Int32?
    var signalAfter = 0
    /// After this many seconds the program (its whole process group) is killed.
    var hangGuard: Double
  }

  struct Ended {
    var stdout: Data
    var stderr: Data
    var status: Int32
    var elapsed: Double
    var hung: Bool
  }

  /// Runs a program to its end (blocking: call it on a thread of its own). One `poll` loop
  /// writes its stdin, reads its stdout and stderr, sends the signal and keeps the hang guard.
  static func runToEnd(_ path: String, _ arguments: [String], env: [String: String], feed: Feed) throws(Failure)
    -> Ended
  {
    // A program may exit without reading its input (a usage error): that must be EPIPE here,
    // not a SIGPIPE killing the test process. Blocked on this thread only; children get
    // default handling from `start`.
    var sigpipe = sigset_t()
    sigemptyset(&sigpipe)
    sigaddset(&sigpipe, SIGPIPE)
    var previousMask = sigset_t()
    pthread_sigmask(SIG_BLOCK, &sigpipe, &previousMask)
    defer {
      var none = timespec()
      while sigtimedwait(&sigpipe, nil, &none) > 0 {}
      pthread_sigmask(SIG_SETMASK, &previousMask, nil)
    }

    let clock = ContinuousClock()
    let began = clock.now
    let started = try start(path, arguments, env: env, pipeStdin: feed.stdin != nil, processGroup: true)
    var input = started.stdin
    let pending = feed.stdin ?? []
    var written = 0
    if input >= 0 {
      _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK)
      if pending.isEmpty, !feed.keepStdinOpen {
        close(input)
        input = -1
      }
    }
    var output = Data()
    var errors = Data()
    var open = (stdout: true, stderr: true)
    var lines = 0
    var signalled = feed.signal == nil
    var hung = false
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    let deadline = began + .milliseconds(Int(feed.hangGuard * 1000))

    func readSome(_ fd: Int32, into data: inout Data) -> Bool {
      let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if count < 0 { return errno == EINTR || errno == EAGAIN }
      if count == 0 { return false }
      data.append(contentsOf: buffer[..<count])
      if fd == started.stdout, !signalled, let signal = feed.signal {
        lines += buffer[..<count].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        if lines >= feed.signalAfter {
          signalled = true
          kill(started.pid, signal)
        }
      }
      return true
    }

    while open.stdout || open.stderr {
      let left = deadline - clock.now
      if left <= .zero {
        hung = true
        kill(-started.pid, SIGKILL)
        break
      }
      var fds: [pollfd] = []
      if open.stdout { fds.append(pollfd(fd: started.stdout, events: Int16(POLLIN), revents: 0)) }
      if open.stderr { fds.append(pollfd(fd: started.stderr, events: Int16(POLLIN), revents: 0)) }
      let writing = input >= 0 && written < pending.count
      if writing { fds.append(pollfd(fd: input, events: Int16(POLLOUT), revents: 0)) }
      let waitMs = Int32(min(left.components.seconds * 1000 + 1, 1000))
      guard poll(&fds, nfds_t(fds.count), waitMs) >= 0 || errno == EINTR else { break }
      for item in fds where item.revents != 0 {
        if item.fd == started.stdout {
          open.stdout = readSome(item.fd, into: &output)
        } else if item.fd == started.stderr {
          open.stderr = readSome(item.fd, into: &errors)
        } else if item.fd == input {
          let count = pending[written...].withUnsafeBytes { write(input, $0.baseAddress, min($0.count, 1 << 16)) }
          if count > 0 { written += count }
          let failed = count < 0 && errno != EAGAIN && errno != EINTR
          if failed || (written == pending.count && !feed.keepStdinOpen) {
            close(input)
            input = -1
          }
        }
      }
    }
    for fd in [input, started.stdout, started.stderr] where fd >= 0 { close(fd) }
    let status = waitForExit(started.pid)
    let elapsed = clock.now - began
    return Ended(
      stdout: output, stderr: errors, status: status,
      elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, hung: hung)
  }
}

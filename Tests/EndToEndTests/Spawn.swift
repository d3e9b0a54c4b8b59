import CDispatch
import Foundation
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

  /// Starts `path` with `arguments` and exactly `env` (default signal handling, see
  /// `ChildSpawn`). `pipeStdin` false gives it /dev/null, and so do `detachedOutput` and
  /// `captureStderr` false for its output. `processGroup` puts it in a group of its own, so a
  /// hung pipeline can be killed whole.
  static func start(
    _ path: String, _ arguments: [String], env: [String: String], pipeStdin: Bool, captureStderr: Bool = true,
    detachedOutput: Bool = false, processGroup: Bool = false
  ) throws(Failure) -> Started {
    // Close-on-exec from the start: a program another test starts meanwhile must not inherit
    // these ends and hold the pipes open.
    func makePipe(_ wanted: Bool) throws(Failure) -> (read: Int32, write: Int32) {
      guard wanted else { return (-1, -1) }
      guard let ends = FileIO.makePipe() else {
        throw Failure(description: "pipe: \(String(cString: strerror(errno)))")
      }
      return ends
    }
    let input = try makePipe(pipeStdin)
    let output = try makePipe(!detachedOutput)
    let errors = try makePipe(captureStderr)
    defer { for fd in [input.read, output.write, errors.write] where fd >= 0 { close(fd) } }
    do throws(ChildSpawn.Failure) {
      let pid = try ChildSpawn.start(
        [path] + arguments, environment: env.map { "\($0.key)=\($0.value)" },
        stdin: pipeStdin ? .descriptor(input.read) : .null, stdout: detachedOutput ? .null : .descriptor(output.write),
        stderr: captureStderr ? .descriptor(errors.write) : .null, processGroup: processGroup)
      return Started(pid: pid, stdin: input.write, stdout: output.read, stderr: errors.read)
    } catch {
      for fd in [input.write, output.read, errors.read] where fd >= 0 { close(fd) }
      throw Failure(description: "cannot start \(error.description)")
    }
  }

  /// Reads `fd` up to its first newline, byte by byte so nothing after it is taken (blocking,
  /// for up to two minutes: nil when no whole line came by then).
  static func firstLine(_ fd: Int32) -> String? {
    let deadline = ContinuousClock.now + .seconds(120)
    var line: [UInt8] = []
    var byte: UInt8 = 0
    while ContinuousClock.now < deadline {
      var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&ready, 1, 1000) > 0 else { continue }
      let count = read(fd, &byte, 1)
      if count < 0, errno == EINTR { continue }
      if count <= 0 { return nil }
      if byte == 0x0A { return String(decoding: line, as: UTF8.self) }
      line.append(byte)
    }
    return nil
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
    try withSIGPIPEBlocked { () throws(Failure) -> Ended in
      try runToEnd(blocked: path, arguments, env: env, feed: feed)
    }
  }

  /// Runs `body` with SIGPIPE blocked on this thread (children get default handling from
  /// `start`): a program may exit without reading its input (a usage error), and writing to
  /// it must then be EPIPE, not a SIGPIPE that kills the test process.
  static func withSIGPIPEBlocked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
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
    return try body()
  }

  private static func runToEnd(blocked path: String, _ arguments: [String], env: [String: String], feed: Feed)
    throws(Failure) -> Ended
  {
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
    let status = ChildSpawn.waitForExit(started.pid)
    let elapsed = clock.now - began
    return Ended(
      stdout: output, stderr: errors, status: status,
      elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, hung: hung)
  }
}

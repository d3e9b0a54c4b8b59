import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// One run of an executable tool: a `poll` loop that writes the arguments to its stdin, reads
/// its stdout and stderr, and keeps its deadline, its output cap and the cancel signal.
/// Blocking: `run` is called on a thread of its own.
struct ToolRun: Sendable {
  /// Why the run was stopped before the tool ended by itself.
  enum Stop { case timedOut, cut, cancelled }

  /// How much of stderr an error outcome shows.
  static let stderrLimit = 8192

  let tool: ExecutableTool
  let input: [UInt8]
  let workingDirectory: String?
  let onOutput: @Sendable (String) -> Void
  /// Readable once the caller is cancelled.
  let cancel: Int32

  func run() -> ToolOutcome {
    let pipes = (0..<3).compactMap { _ in FileIO.makePipe() }
    guard pipes.count == 3 else {
      for pipe in pipes { closeAll(pipe.read, pipe.write) }
      return ToolOutcome(content: "cannot start tool \(tool.name): out of file descriptors", isError: true)
    }
    let (stdinPipe, stdoutPipe, stderrPipe) = (pipes[0], pipes[1], pipes[2])
    let pid: pid_t
    do throws(ChildSpawn.Failure) {
      pid = try ChildSpawn.start(
        tool.command, environment: ToolEnvironment.filtered(), stdin: .descriptor(stdinPipe.read),
        stdout: .descriptor(stdoutPipe.write),
        stderr: .descriptor(stderrPipe.write), processGroup: true, workingDirectory: workingDirectory)
    } catch {
      for pipe in pipes { closeAll(pipe.read, pipe.write) }
      return ToolOutcome(content: "cannot start tool \(tool.name): \(error.description)", isError: true)
    }
    closeAll(stdinPipe.read, stdoutPipe.write, stderrPipe.write)
    _ = fcntl(stdinPipe.write, F_SETFL, fcntl(stdinPipe.write, F_GETFL) | O_NONBLOCK)
    var loop = Loop(
      run: self, child: ChildGroup(pid: pid), stdin: stdinPipe.write, stdout: stdoutPipe.read,
      stderr: stderrPipe.read)
    loop.drive()
    return loop.outcome()
  }

  /// The state of the loop while the tool runs.
  struct Loop {
    let run: ToolRun
    let child: ChildGroup
    var stdin: Int32
    var stdout: Int32
    var stderr: Int32
    var written = 0
    var output: CappedOutput
    var errors: [UInt8] = []
    var stop: Stop?
    let clock = ContinuousClock()
    let deadline: ContinuousClock.Instant
    var killAt: ContinuousClock.Instant?
    var killed = false
    var leftoversKilled = false
    /// How long to sleep between checks for the child's exit once its pipes are closed.
    var exitCheck = Duration.milliseconds(1)

    init(run: ToolRun, child: ChildGroup, stdin: Int32, stdout: Int32, stderr: Int32) {
      self.run = run
      self.child = child
      self.stdin = stdin
      self.stdout = stdout
      self.stderr = stderr
      output = CappedOutput(limit: run.tool.maxOutputBytes)
      deadline = clock.now.advanced(by: run.tool.timeout)
    }

    mutating func drive() {
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
      defer { buffer.deallocate() }
      while true {
        let now = clock.now
        if stop == nil, now >= deadline { begin(.timedOut) }
        if let killAt, !killed, now >= killAt {
          child.signal(SIGKILL)
          killed = true
        }
        let exited = child.hasExited()
        if exited, !leftoversKilled {
          // Helpers it left behind would hold its pipes open; they end with it.
          child.signal(SIGKILL)
          leftoversKilled = true
        }
        let pipesOpen = stdout >= 0 || stderr >= 0
        if exited, !pipesOpen { break }
        // Killed, and still some process outside the group holds the pipes: give up on them.
        if let killAt, killed, now >= killAt.advanced(by: ExecutableTool.killGrace) { break }

        var entries = [pollfd(fd: stop == nil ? run.cancel : -1, events: Int16(POLLIN), revents: 0)]
        entries.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0))
        entries.append(pollfd(fd: stdout, events: Int16(POLLIN), revents: 0))
        entries.append(pollfd(fd: stderr, events: Int16(POLLIN), revents: 0))
        var wait = pipesOpen ? Duration.milliseconds(100) : exitCheck
        if !pipesOpen { exitCheck = min(exitCheck * 2, .milliseconds(50)) }
        if stop == nil { wait = min(wait, deadline - now) }
        if let killAt { wait = min(wait, max(killAt - now, .zero) + .milliseconds(1)) }
        let ready = poll(&entries, nfds_t(entries.count), Int32(max(wait, .zero).roundedUpMilliseconds))
        if ready < 0, errno != EINTR {
          child.signal(SIGKILL)
          break
        }
        guard ready > 0 else { continue }
        if entries[0].revents != 0 { begin(.cancelled) }
        if entries[1].revents != 0 { writeInput() }
        if entries[2].revents != 0 { readOutput(into: buffer) }
        if entries[3].revents != 0 { readErrors(into: buffer) }
      }
    }

    /// Asks the tool's group to stop: SIGTERM now, SIGKILL after the grace.
    mutating func begin(_ reason: Stop) {
      guard stop == nil else { return }
      stop = reason
      child.signal(SIGTERM)
      killAt = clock.now.advanced(by: ExecutableTool.killGrace)
    }

    mutating func writeInput() {
      let count = run.input.count - written
      let n = run.input.withUnsafeBytes { write(stdin, $0.baseAddress! + written, count) }
      if n > 0 { written += n }
      // Done, or the tool closed its stdin (EPIPE): either way we have nothing more to say.
      if written == run.input.count || (n < 0 && errno != EAGAIN && errno != EINTR) { closeInput() }
    }

    mutating func closeInput() {
      closeAll(stdin)
      stdin = -1
    }

    mutating func readOutput(into buffer: UnsafeMutableRawBufferPointer) {
      let n = (try? FileIO.read(stdout, into: buffer)) ?? 0
      guard n > 0 else { return closeOutput() }
      let piece = output.take(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
      if !piece.isEmpty { run.onOutput(piece) }
      if output.isCut {
        closeOutput()
        begin(.cut)
      }
    }

    mutating func closeOutput() {
      let rest = output.finish()
      if !rest.isEmpty { run.onOutput(rest) }
      closeAll(stdout)
      stdout = -1
    }

    mutating func readErrors(into buffer: UnsafeMutableRawBufferPointer) {
      let n = (try? FileIO.read(stderr, into: buffer)) ?? 0
      guard n > 0 else {
        closeAll(stderr)
        stderr = -1
        return
      }
      let room = max(0, ToolRun.stderrLimit + 1 - errors.count)
      errors.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<min(n, room)]))
    }

    /// Reaps the tool, closes what is still open and says how the run went.
    mutating func outcome() -> ToolOutcome {
      if stdin >= 0 { closeInput() }
      if stdout >= 0 { closeOutput() }
      if stderr >= 0 {
        closeAll(stderr)
        stderr = -1
      }
      let status = child.waitForExit()
      return ToolRun.outcome(tool: run.tool, output: output.text, errors: errors, status: Int(status), stop: stop)
    }
  }
}

func closeAll(_ descriptors: Int32...) {
  for fd in descriptors where fd >= 0 { _ = close(fd) }
}

import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A child program the relay talks to over pipes: we write its stdin and read its stdout; its
/// stderr is ours, so its logs reach the operator.
struct ChildProcess: Sendable {
  let pid: pid_t
  /// The write end of the child's stdin.
  let input: Int32
  /// The read end of the child's stdout.
  let output: Int32

  /// Starts `arguments` (the first is looked up on PATH) with our environment, in a process
  /// group of its own so a Ctrl-C at the terminal reaches the server, which decides.
  static func spawn(_ arguments: [String]) throws(RelayError) -> ChildProcess {
    // Close-on-exec from the start: a restarted child must not inherit the old pipes.
    guard let toChild = FileIO.makePipe() else { throw .cannotStart("pipe: \(String(cString: strerror(errno)))") }
    guard let fromChild = FileIO.makePipe() else {
      close(toChild.read)
      close(toChild.write)
      throw .cannotStart("pipe: \(String(cString: strerror(errno)))")
    }
    defer {
      close(toChild.read)
      close(fromChild.write)
    }
    do throws(ChildSpawn.Failure) {
      let pid = try ChildSpawn.start(
        arguments, stdin: .descriptor(toChild.read), stdout: .descriptor(fromChild.write), stderr: .inherit,
        processGroup: true)
      return ChildProcess(pid: pid, input: toChild.write, output: fromChild.read)
    } catch {
      close(toChild.write)
      close(fromChild.read)
      throw .cannotStart(error.description)
    }
  }

  /// Waits for the child to end: its exit status, or 128 + the signal that ended it.
  func waitForExit() -> Int32 { ChildSpawn.waitForExit(pid) }

  /// Sends `signal` to the child.
  func send(_ signal: Int32) { _ = kill(pid, signal) }
}

/// Why the relay could not do what was asked.
package enum RelayError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The child program could not be started.
  case cannotStart(String)

  package var description: String {
    switch self {
    case .cannotStart(let why): "cannot start the chat program: \(why)"
    }
  }
}

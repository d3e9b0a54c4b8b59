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
    guard let program = arguments.first else { throw .cannotStart("no command given") }
    // Close-on-exec from the start: a restarted child must not inherit the old pipes.
    guard let toChild = FileIO.makePipe() else { throw .cannotStart("pipe: \(String(cString: strerror(errno)))") }
    guard let fromChild = FileIO.makePipe() else {
      close(toChild.read)
      close(toChild.write)
      throw .cannotStart("pipe: \(String(cString: strerror(errno)))")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, toChild.read, 0)
    posix_spawn_file_actions_adddup2(&actions, fromChild.write, 1)

    // The child starts with default signal handling and an empty mask, whatever we ignore.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var all = sigset_t()
    sigfillset(&all)
    sigdelset(&all, SIGKILL)
    sigdelset(&all, SIGSTOP)
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawnp(&pid, program, &actions, &attributes, argv, environ)
    close(toChild.read)
    close(fromChild.write)
    guard spawned == 0 else {
      close(toChild.write)
      close(fromChild.read)
      throw .cannotStart("\(program): \(String(cString: strerror(spawned)))")
    }
    return ChildProcess(pid: pid, input: toChild.write, output: fromChild.read)
  }

  /// Waits for the child to end: its exit status, or 128 + the signal that ended it.
  func waitForExit() -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      if errno != EINTR { return -1 }
    }
    return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
  }

  /// Sends `signal` to the child.
  func send(_ signal: Int32) { _ = kill(pid, signal) }
}

/// Why the relay could not do what was asked.
public enum RelayError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The child program could not be started.
  case cannotStart(String)

  public var description: String {
    switch self {
    case .cannotStart(let why): "cannot start the chat program: \(why)"
    }
  }
}

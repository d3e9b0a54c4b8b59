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
    var toChild: [Int32] = [0, 0]
    var fromChild: [Int32] = [0, 0]
    guard pipe(&toChild) == 0 else { throw .cannotStart("pipe: \(String(cString: strerror(errno)))") }
    guard pipe(&fromChild) == 0 else {
      close(toChild[0])
      close(toChild[1])
      throw .cannotStart("pipe: \(String(cString: strerror(errno)))")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
    for fd in toChild + fromChild { posix_spawn_file_actions_addclose(&actions, fd) }

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
    close(toChild[0])
    close(fromChild[1])
    guard spawned == 0 else {
      close(toChild[1])
      close(fromChild[0])
      throw .cannotStart("\(program): \(String(cString: strerror(spawned)))")
    }
    // Our ends must not leak into later children (a restarted child would hold the old pipe).
    _ = fcntl(toChild[1], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fromChild[0], F_SETFD, FD_CLOEXEC)
    return ChildProcess(pid: pid, input: toChild[1], output: fromChild[0])
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

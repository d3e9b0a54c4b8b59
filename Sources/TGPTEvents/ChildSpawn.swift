import CSyscalls

#if canImport(Glibc)
  package import Glibc
#elseif canImport(Musl)
  package import Musl
#elseif canImport(Darwin)
  package import Darwin
#endif

/// Starting a child program and waiting for it: the one place that knows `posix_spawn`.
///
/// The child starts with its three standard descriptors and no other (where the C library can
/// close the rest: glibc 2.34 and later), and with every signal at its default handling and
/// none blocked, whatever the starting thread blocks or ignores (a key command must die on
/// Ctrl-C; a program inheriting a blocked SIGCHLD, tmux say, misbehaves).
package enum ChildSpawn {
  /// Where one of the child's standard descriptors comes from.
  package enum Source: Sendable {
    /// Ours, as it is.
    case inherit
    /// /dev/null.
    case null
    /// This descriptor (a pipe end, say). It should be close-on-exec (`FileIO.makePipe`), so
    /// that only the child's copy of it stays open in the child.
    case descriptor(Int32)
  }

  /// Why a child could not be started.
  package struct Failure: Error, Sendable, CustomStringConvertible {
    package let description: String
  }

  /// Starts `arguments` (the first is looked up on PATH) with `environment` ("NAME=value"
  /// entries; nil: ours). `processGroup` puts it in a group of its own, so a terminal's Ctrl-C
  /// does not reach it and its whole group can be signalled. `workingDirectory` (nil: ours) is
  /// where it starts; a relative program path is found from there. Returns its pid.
  package static func start(
    _ arguments: [String], environment: [String]? = nil, stdin: Source, stdout: Source, stderr: Source,
    processGroup: Bool = false, workingDirectory: String? = nil
  ) throws(Failure) -> pid_t {
    guard let program = arguments.first else { throw Failure(description: "no command given") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let workingDirectory {
      let failed = csyscalls_spawn_file_actions_addchdir(&actions, workingDirectory)
      guard failed == 0 else { throw Failure(description: "\(workingDirectory): \(String(cString: strerror(failed)))") }
    }
    for (target, source) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
      switch source {
      case .inherit: break
      case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
      case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
      }
    }
    // The child gets those three and nothing else. SwiftNIO accepts connections without
    // close-on-exec: a child holding a copy of a client's connection, or of the listening
    // socket, keeps it open after this process closes it (the client never sees its
    // connection end; a killed server's port stays taken by its orphaned child).
    let closing = csyscalls_spawn_file_actions_addclosefrom(&actions, 3)
    guard closing == 0 || closing == ENOSYS else {
      throw Failure(description: "\(program): \(String(cString: strerror(closing)))")
    }

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
    var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
    if processGroup {
      posix_spawnattr_setpgroup(&attributes, 0)
      flags |= POSIX_SPAWN_SETPGROUP
    }
    posix_spawnattr_setflags(&attributes, Int16(flags))

    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup($0) } + [nil] }
    defer {
      argv.forEach { free($0) }
      envp?.forEach { free($0) }
    }
    var pid = pid_t()
    let spawned =
      if let envp {
        posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
      } else {
        posix_spawnp(&pid, program, &actions, &attributes, argv, environ)
      }
    guard spawned == 0 else { throw Failure(description: "\(program): \(String(cString: strerror(spawned)))") }
    return pid
  }

  /// Waits for `pid` to end (blocking: call it on a thread of its own): its exit status, or
  /// 128 + the signal that ended it, as a shell reports it; -1 if it cannot be waited for.
  package static func waitForExit(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      if errno != EINTR { return -1 }
    }
    return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
  }
}

import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs a shell command and captures its standard output (used for `api_key_cmd`, such as
/// `pass show openrouter`). stderr is inherited so the user sees the command's own errors.
public enum ShellCommand {
  /// The command's stdout with trailing newlines removed; nil when it could not be run or
  /// exited non-zero (`status` tells which).
  public static func capture(_ command: String) -> (output: String?, status: Int32) {
    var pipeFDs: [Int32] = [0, 0]
    guard pipe(&pipeFDs) == 0 else { return (nil, -1) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
    posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
    posix_spawn_file_actions_addclose(&actions, pipeFDs[1])
    // The command must never read the user's terminal or our piped prompt.
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

    var pid = pid_t()
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
    defer { argv.forEach { free($0) } }
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
    close(pipeFDs[1])
    guard spawned == 0 else {
      close(pipeFDs[0])
      return (nil, -1)
    }
    let bytes = (try? FileIO.readAll(pipeFDs[0])) ?? []
    close(pipeFDs[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    guard exitStatus == 0 else { return (nil, exitStatus) }
    var text = String(decoding: bytes, as: UTF8.self)
    while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
    return (text, 0)
  }
}

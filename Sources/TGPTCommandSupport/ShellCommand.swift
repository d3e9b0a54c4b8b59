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
  /// exited non-zero (`status` tells which). The reading and waiting happen on a thread of
  /// their own.
  public static func capture(_ command: String) async -> (output: String?, status: Int32) {
    await DedicatedThread.run { () -> (output: String?, status: Int32) in captureBlocking(command) }
  }

  private static func captureBlocking(_ command: String) -> (output: String?, status: Int32) {
    guard let output = FileIO.makePipe() else { return (nil, -1) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, output.write, 1)
    // The command must never read the user's terminal or our piped prompt.
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

    var pid = pid_t()
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
    defer { argv.forEach { free($0) } }
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
    close(output.write)
    guard spawned == 0 else {
      close(output.read)
      return (nil, -1)
    }
    let bytes = (try? FileIO.readAll(output.read)) ?? []
    close(output.read)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    guard exitStatus == 0 else { return (nil, exitStatus) }
    var text = String(decoding: bytes, as: UTF8.self)
    while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
    return (text, 0)
  }
}

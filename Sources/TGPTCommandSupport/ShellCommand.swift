import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs a shell command and captures its standard output (used for `api_key_cmd`, such as
/// `pass show openrouter`). stderr is inherited so the user sees the command's own errors.
package enum ShellCommand {
  /// The command's stdout with trailing newlines removed; nil when it could not be run or
  /// exited non-zero (`status` tells which). The reading and waiting happen on a thread of
  /// their own.
  package static func capture(_ command: String) async -> (output: String?, status: Int32) {
    await DedicatedThread.run { () -> (output: String?, status: Int32) in captureBlocking(command) }
  }

  private static func captureBlocking(_ command: String) -> (output: String?, status: Int32) {
    guard let output = FileIO.makePipe() else { return (nil, -1) }
    // The command must never read the user's terminal or our piped prompt.
    let started = try? ChildSpawn.start(
      ["/bin/sh", "-c", command], stdin: .null, stdout: .descriptor(output.write), stderr: .inherit)
    close(output.write)
    guard let pid = started else {
      close(output.read)
      return (nil, -1)
    }
    let bytes = (try? FileIO.readAll(output.read)) ?? []
    close(output.read)
    let status = ChildSpawn.waitForExit(pid)
    guard status == 0 else { return (nil, status) }
    var text = String(decoding: bytes, as: UTF8.self)
    while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
    return (text, 0)
  }
}

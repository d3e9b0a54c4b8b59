import TGPTEvents
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite(.timeLimit(.minutes(5))) struct ChildSpawnTests {
  /// A child has its standard descriptors and none of ours, even one opened without
  /// close-on-exec (as SwiftNIO accepts connections): a `tgpt-ws-bridge serve` restarting its
  /// child kept every client's connection, and the listening socket, open in the new child.
  @Test func aChildGetsItsStandardDescriptorsAndNoneOfOurs() async throws {
    let inheritable = open("/dev/null", O_RDONLY)
    try #require(inheritable >= 3)
    defer { close(inheritable) }
    let output = try #require(FileIO.makePipe())
    let pid = try ChildSpawn.start(
      [
        "/bin/sh", "-c", #"if [ -e /proc/$$/fd/$0 ]; then echo "$0 open"; else echo "$0 closed"; fi"#,
        String(inheritable),
      ], stdin: .null, stdout: .descriptor(output.write), stderr: .null)
    close(output.write)
    let printed = try await FileIO.readAllWaiting(output.read)
    close(output.read)
    let status = await DedicatedThread.run { ChildSpawn.waitForExit(pid) }
    #expect(status == 0)
    // Its stdout works; our descriptor is not there.
    #expect(String(decoding: printed, as: UTF8.self) == "\(inheritable) closed\n")
  }
}

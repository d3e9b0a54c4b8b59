import Testing

@testable import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

@Suite(.timeLimit(.minutes(5))) struct EventWriterTests {
  @Test func aLoneEventIsInThePipeWhenWriteReturns() throws {
    let ends = try #require(FileIO.makePipe())
    defer { close(ends.read) }
    let writer = EventWriter(fd: ends.write)
    try writer.write(Event(.chunk(.init(content: "hi")), id: "1"))
    // Nothing waits for a later flush: the line is readable now (O_NONBLOCK: never a wait).
    _ = fcntl(ends.read, F_SETFL, fcntl(ends.read, F_GETFL) | O_NONBLOCK)
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = buffer.withUnsafeMutableBytes { read(ends.read, $0.baseAddress, $0.count) }
    close(ends.write)
    #expect(count > 0)
    let line = String(decoding: buffer[..<max(count, 0)], as: UTF8.self)
    #expect(line.hasPrefix(#"{"type":"chunk","content":"hi""#))
    #expect(line.hasSuffix("\n"))
  }

  @Test func linesFromManyThreadsAtOnceArriveWholeAndEachThreadsInOrder() async throws {
    let ends = try #require(FileIO.makePipe())
    defer { close(ends.read) }
    let writer = EventWriter(fd: ends.write, maxQueuedBytes: 4096)
    let threads = 6
    let perThread = 3000
    async let output = DedicatedThread.run { () throws(ProtocolError) -> [UInt8] in try FileIO.readAll(ends.read) }
    // Writes block on a full pipe: on threads of their own, not the cooperative pool's.
    try await withThrowingTaskGroup(of: Void.self) { group in
      for thread in 0..<threads {
        group.addTask {
          try await DedicatedThread.run { () throws(ProtocolError) in
            for index in 0..<perThread {
              try writer.write(Event(.chunk(.init(content: "\(index)")), id: "t\(thread)"))
            }
          }
        }
      }
      try await group.waitForAll()
    }
    close(ends.write)
    let lines = try await output.split(separator: UInt8(ascii: "\n"))
    #expect(lines.count == threads * perThread)
    var next = [String: Int]()
    for line in lines {
      let json = try JSON.parse(Array(line))
      let id = try #require(json["id"]?.stringValue)
      let content = try #require(json["content"]?.stringValue)
      #expect(content == String(next[id, default: 0]))
      next[id, default: 0] += 1
    }
    #expect(next.count == threads)
    #expect(next.values.allSatisfy { $0 == perThread })
  }
}

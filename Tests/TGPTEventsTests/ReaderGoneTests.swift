import Testing

@testable import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

@Suite(.timeLimit(.minutes(5))) struct ReaderGoneTests {
  @Test func aPipeIsHeardUntilItsReaderCloses() throws {
    let ends = try #require(FileIO.makePipe())
    defer { close(ends.write) }
    #expect(!FileIO.readerGone(ends.write), "a pipe with its reader open")
    close(ends.read)
    #expect(FileIO.readerGone(ends.write), "a pipe whose reader closed")
  }

  @Test func aFullPipeWithItsReaderOpenIsStillHeard() throws {
    let ends = try #require(FileIO.makePipe())
    defer {
      close(ends.read)
      close(ends.write)
    }
    _ = fcntl(ends.write, F_SETFL, fcntl(ends.write, F_GETFL) | O_NONBLOCK)
    let block = [UInt8](repeating: 0x61, count: 65536)
    while block.withUnsafeBytes({ write(ends.write, $0.baseAddress, $0.count) }) > 0 {}
    #expect(!FileIO.readerGone(ends.write), "full is not gone: the reader is slow, not absent")
  }

  @Test func devNullAndADescriptorNeverOpenedAreNotGone() throws {
    let null = open("/dev/null", O_WRONLY)
    try #require(null >= 0)
    defer { close(null) }
    #expect(!FileIO.readerGone(null))
    // The highest number the process may have, unopened (a closed one could be reused at
    // once by a test running alongside).
    let unopened = getdtablesize() - 1
    try #require(fcntl(unopened, F_GETFD) == -1)
    #expect(!FileIO.readerGone(unopened), "not open: the write's own error says so")
  }
}

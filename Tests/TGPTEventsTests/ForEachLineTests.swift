import Testing

@testable import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// `FileIO.forEachLine`: the one loop that reads a descriptor's lines, across its 64 KiB reads.
@Suite struct ForEachLineTests {
  /// A file holding `text` in a directory of its own, open for reading.
  static func file(_ text: String) throws -> (fd: Int32, remove: () -> Void) {
    var template = Array("/tmp/tgpt-lines-XXXXXX".utf8CString)
    let directory = String(cString: try #require(mkdtemp(&template)))
    let path = directory + "/input"
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    #expect(fd >= 0)
    try FileIO.writeAll(fd, text)
    lseek(fd, 0, SEEK_SET)
    return (
      fd,
      {
        close(fd); unlink(path); rmdir(directory)
      }
    )
  }

  @Test func linesAcrossReadsAreWholeAndNumberedAndAnOverlongOneIsReported() throws {
    // The second line straddles the first 64 KiB read; the last has no newline.
    let long = String(repeating: "x", count: 70_000)
    let (fd, remove) = try Self.file("first\n\(long)\r\n\n" + String(repeating: "y", count: 300) + "\nlast")
    defer { remove() }
    var items: [NDJSONSplitterTests.Item] = []
    try FileIO.forEachLine(fd: fd, maxLineBytes: 100_000) { item in
      switch item {
      case .line(let bytes, let number): items.append(.line(String(decoding: bytes, as: UTF8.self), number))
      case .overlong(let number, _): items.append(.overlong(number))
      }
    }
    #expect(
      items == [.line("first", 1), .line(long, 2), .line(String(repeating: "y", count: 300), 4), .line("last", 5)])
    lseek(fd, 0, SEEK_SET)
    var overlong: [Int] = []
    try FileIO.forEachLine(fd: fd, maxLineBytes: 200) {
      if case .overlong(let number, _) = $0 { overlong.append(number) }
    }
    #expect(overlong == [2, 4])
  }

  @Test func aFailedReadThrowsWithItsErrno() {
    #expect(throws: ProtocolError.readFailed(errno: EBADF)) { try FileIO.forEachLine(fd: -1) { _ in } }
  }
}

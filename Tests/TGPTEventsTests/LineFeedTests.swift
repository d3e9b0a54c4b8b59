import Testing

@testable import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

@Suite(.timeLimit(.minutes(5))) struct LineFeedTests {
  @Test func anUrgentLineGetsPastAFullWindowAndTheWindowStaysWhole() async throws {
    // Close-on-exec: a program another test starts meanwhile must not hold the pipe open.
    let ends = try #require(FileIO.makePipe())
    let text = "first\n{\"cancel\":\"first\"}\nsecond\nthird\n"
    _ = Array(text.utf8).withUnsafeBytes { write(ends.write, $0.baseAddress, $0.count) }
    close(ends.write)
    let feed = LineFeed(fd: ends.read, window: 1, urgent: CancelRequest.isCancel)
    var iterator = feed.lines.makeAsyncIterator()
    func next() async -> String? {
      guard case .line(let bytes, _)? = await iterator.next() else { return nil }
      return String(decoding: bytes, as: UTF8.self)
    }
    // "first" is not released, yet the cancel behind it arrives.
    #expect(await next() == "first")
    #expect(await next() == #"{"cancel":"first"}"#)
    // The reader now waits with "second" (line 3) for room. Releasing the cancel's line must
    // not let it through: the cancel's permit is taken back first, so the reader waits again
    // with line 3. (Had the permit not been taken back, "second" would pass and the next wait
    // would be for line 4.)
    while feed.windowWaits.line == nil { try await Task.sleep(for: .milliseconds(5)) }
    let before = feed.windowWaits.count
    feed.release()
    while feed.windowWaits.count == before { try await Task.sleep(for: .milliseconds(5)) }
    #expect(feed.windowWaits.line == 3, "the window is one line again")
    feed.release()
    #expect(await next() == "second")
  }

  /// A consumer may stop without releasing its lines (an interrupted loop, a closed MCP server):
  /// freeing the feed then must not crash the process, as freeing a libdispatch semaphore that
  /// holds less than it was made with does (SIGILL; a program the suite starts died of it in a
  /// ThreadSanitizer run). On the old code this test's process dies as the feed is freed.
  @Test func aFeedFreedWithLinesUnreleasedDoesNotCrash() async throws {
    let ends = try #require(FileIO.makePipe())
    _ = Array("one\ntwo\n".utf8).withUnsafeBytes { write(ends.write, $0.baseAddress, $0.count) }
    close(ends.write)
    var count = 0
    do {
      let feed = LineFeed(fd: ends.read, window: 2)
      for await line in feed.lines {
        if case .line = line { count += 1 }
      }
    }
    close(ends.read)
    #expect(count == 2)
  }

  @Test(arguments: [
    (#"{"cancel":"r1"}"#, true), (#"{"cancel":"r1","session_id":"s"}"#, true), (#"{"cancel":""}"#, false),
    (#"{"message":"cancel","cancel":"r1"}"#, false), (#"{"message":"say \"cancel\""}"#, false), ("cancel", false),
  ])
  func onlyAWellFormedCancelIsUrgent(line: String, urgent: Bool) {
    #expect(CancelRequest.isCancel(Array(line.utf8)) == urgent)
  }
}

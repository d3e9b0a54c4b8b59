import Dispatch
import Synchronization
import Testing

@testable import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

@Suite(.timeLimit(.minutes(1))) struct LineFeedTests {
  @Test func anUrgentLineGetsPastAFullWindowAndTheWindowStaysWhole() async throws {
    var ends: [Int32] = [0, 0]
    #expect(pipe(&ends) == 0)
    let text = "first\n{\"cancel\":\"first\"}\nsecond\nthird\n"
    _ = Array(text.utf8).withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
    close(ends[1])
    let feed = LineFeed(fd: ends[0], window: 1, urgent: CancelRequest.isCancel)
    var iterator = feed.lines.makeAsyncIterator()
    func next() async -> String? {
      guard case .line(let bytes, _)? = await iterator.next() else { return nil }
      return String(decoding: bytes, as: UTF8.self)
    }
    // "first" is not released, yet the cancel behind it arrives.
    #expect(await next() == "first")
    #expect(await next() == #"{"cancel":"first"}"#)
    feed.release()
    // With "first" still held, "second" must wait; it comes once "first" is released.
    let arrived = Mutex(false)
    let second = Task {
      let line = await next()
      arrived.withLock { $0 = true }
      return line
    }
    try await Task.sleep(for: .milliseconds(300))
    #expect(!arrived.withLock { $0 }, "the cancel's permit was taken back: the window is one line again")
    feed.release()
    #expect(await second.value == "second")
  }

  @Test(arguments: [
    (#"{"cancel":"r1"}"#, true), (#"{"cancel":"r1","session_id":"s"}"#, true), (#"{"cancel":""}"#, false),
    (#"{"message":"cancel","cancel":"r1"}"#, false), (#"{"message":"say \"cancel\""}"#, false), ("cancel", false),
  ])
  func onlyAWellFormedCancelIsUrgent(line: String, urgent: Bool) {
    #expect(CancelRequest.isCancel(Array(line.utf8)) == urgent)
  }
}

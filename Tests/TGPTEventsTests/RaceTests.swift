import Testing

@testable import TGPTEvents

@Suite(.timeLimit(.minutes(5))) struct RaceTests {
  /// Work that waits until it is cancelled, and says so.
  static let waitsForCancel: @Sendable () async -> String = {
    while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
    return "cancelled"
  }

  @Test func workStillRunningAtTheTimeoutIsCancelledAndItsResultReturned() async {
    #expect(await Race.run(Self.waitsForCancel, cancelledAfter: .milliseconds(20)) == "cancelled")
  }

  @Test func workThatEndsFirstCancelsTheTriggerAndIsNotCancelledItself() async {
    let result = await Race.run({ Task.isCancelled ? "cancelled" : "done" }, cancelledAfter: .seconds(3600))
    #expect(result == "done")
  }

  @Test func aTriggerThatReturnsCancelsTheWork() async {
    let (pressed, press) = AsyncStream.makeStream(of: Void.self)
    press.yield()
    let result = await Race.run(Self.waitsForCancel, cancelledWhen: { for await _ in pressed { return } })
    #expect(result == "cancelled")
  }

  @Test func anOptionalResultOfNilIsKept() async {
    let result: String? = await Race.run({ nil }, cancelledAfter: .seconds(3600))
    #expect(result == nil)
  }
}

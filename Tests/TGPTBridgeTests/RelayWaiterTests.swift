import Testing

@testable import TGPTBridge

@Suite(.timeLimit(.minutes(2))) struct RelayWaiterTests {
  /// Runs `waiter.result()` in a task that is cancelled from the start (its timeout has fired).
  static func resultWhenCancelled(_ waiter: RelayWaiter) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
      group.cancelAll()
      group.addTask { await waiter.result() }
      return await group.next() ?? false
    }
  }

  @Test func whatHappenedBeforeTheTimeoutLandedCounts() async {
    let waiter = RelayWaiter()
    waiter.happened()
    #expect(await Self.resultWhenCancelled(waiter))
  }

  @Test func aTimeoutWithNothingHappenedIsFalse() async {
    #expect(await Self.resultWhenCancelled(RelayWaiter()) == false)
  }
}

import Testing

@testable import TGPTEvents

@Suite(.timeLimit(.minutes(5))) struct GuardedTests {
  @Test func additionsFromFourThreadsAtOnceAllLand() async {
    let total = Guarded(0)
    let running = Guarded(4)
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
      for _ in 0..<4 {
        DedicatedThread.start {
          for _ in 0..<20_000 { total.withLock { $0 += 1 } }
          let stillRunning = running.withLock { count in
            count -= 1
            return count
          }
          if stillRunning == 0 { done.resume() }
        }
      }
    }
    #expect(total.withLock { $0 } == 80_000)
  }

  @Test func aHeldLockIsNotAvailableEvenToItsHolder() {
    let guarded = Guarded("value")
    #expect(guarded.withLockIfAvailable { $0 } == "value")
    let inside = guarded.withLock { _ in guarded.withLockIfAvailable { _ in true } }
    #expect(inside == nil)
  }
}

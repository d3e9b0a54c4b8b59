import TGPTEvents

/// A token bucket: `burst` messages at once, refilled at `perSecond`.
package struct RateLimiter: Sendable {
  package let perSecond: Double
  package let burst: Double
  private var tokens: Double
  private var last: ContinuousClock.Instant

  /// When a token was last asked for.
  package var lastUse: ContinuousClock.Instant { last }

  /// A full bucket; `perSecond` ≤ 0 means unlimited.
  package init(perSecond: Double, burst: Int, now: ContinuousClock.Instant = .now) {
    self.perSecond = perSecond
    self.burst = Double(max(1, burst))
    tokens = self.burst
    last = now
  }

  /// Returns a token taken for something that did not happen after all.
  package mutating func giveBack() { tokens = min(burst, tokens + 1) }

  /// Takes a token if there is one.
  package mutating func allow(now: ContinuousClock.Instant = .now) -> Bool {
    guard perSecond > 0 else { return true }
    tokens = min(burst, tokens + (now - last).inSeconds * perSecond)
    last = now
    guard tokens >= 1 else { return false }
    tokens -= 1
    return true
  }
}

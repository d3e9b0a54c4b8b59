import Synchronization
import TGPTBridge

/// Message rate limits shared by every connection and HTTP request: one bucket per client
/// address and one per bearer token, so opening more connections or switching to
/// `POST /chat` buys no more messages.
final class SharedRateLimits: Sendable {
  /// Which limit refused a message.
  enum Refusal: Equatable {
    case address
    case token
  }

  private let perSecond: Double
  private let burst: Int
  private let buckets = Mutex<[String: RateLimiter]>([:])
  /// Buckets kept before idle ones (full again) are forgotten.
  private let pruneAbove = 4096

  /// `perSecond` ≤ 0: no limit.
  init(perSecond: Double, burst: Int) {
    self.perSecond = perSecond
    self.burst = burst
  }

  /// Takes one message from the address's bucket and the token's; nil when both allow it.
  func take(address: String?, token: String?) -> Refusal? {
    guard perSecond > 0 else { return nil }
    let now = ContinuousClock.now
    return buckets.withLock { buckets in
      if buckets.count > pruneAbove { prune(&buckets, now: now) }
      if let address, !allow("a:" + address, now, &buckets) { return .address }
      // The token's own bucket is never charged for a message its address bucket refused.
      if let token, !allow("t:" + token, now, &buckets) { return .token }
      return nil
    }
  }

  private func allow(_ key: String, _ now: ContinuousClock.Instant, _ buckets: inout [String: RateLimiter]) -> Bool {
    var bucket = buckets[key] ?? RateLimiter(perSecond: perSecond, burst: burst, now: now)
    defer { buckets[key] = bucket }
    return bucket.allow(now: now)
  }

  /// Forgets buckets that have refilled: they hold nothing a new one would not.
  private func prune(_ buckets: inout [String: RateLimiter], now: ContinuousClock.Instant) {
    let refill = Duration.seconds(Double(burst) / perSecond)
    buckets = buckets.filter { now - $0.value.lastUse < refill }
  }
}

import TGPTBridge
import TGPTEvents

/// Message rate limits shared by every connection and HTTP request: one bucket per client
/// address and, when asked for, one per bearer token, so opening more connections or switching
/// to `POST /chat` buys no more messages. (Every client holding the server's one token shares
/// its bucket: a limit for them all together.)
final class SharedRateLimits: Sendable {
  /// Which limit refused a message.
  enum Refusal: Equatable {
    case address
    case token
  }

  private let addressRate: Double
  private let tokenRate: Double
  private let burst: Int
  private let buckets = Guarded<[String: RateLimiter]>([:])
  /// Buckets kept before idle ones (full again) are forgotten.
  private let pruneAbove = 4096

  /// Messages per second per address and per token; ≤ 0: no limit of that kind.
  init(perAddress: Double, perToken: Double, burst: Int) {
    addressRate = perAddress
    tokenRate = perToken
    self.burst = burst
  }

  /// Takes one message from the address's bucket and the token's; nil when both allow it.
  func take(address: String?, token: String?) -> Refusal? {
    let address = addressRate > 0 ? address.map { "a:" + $0 } : nil
    let token = tokenRate > 0 ? token.map { "t:" + $0 } : nil
    guard address != nil || token != nil else { return nil }
    let now = ContinuousClock.now
    return buckets.withLock { buckets in
      if buckets.count > pruneAbove { prune(&buckets, now: now) }
      if let address, !take(address, addressRate, now, &buckets) { return .address }
      if let token, !take(token, tokenRate, now, &buckets) {
        // Not counted against the address either: the message was not let through.
        if let address { buckets[address]?.giveBack() }
        return .token
      }
      return nil
    }
  }

  private func take(
    _ key: String, _ rate: Double, _ now: ContinuousClock.Instant, _ buckets: inout [String: RateLimiter]
  ) -> Bool {
    var bucket = buckets[key] ?? RateLimiter(perSecond: rate, burst: burst, now: now)
    defer { buckets[key] = bucket }
    return bucket.allow(now: now)
  }

  /// Forgets buckets that have refilled: they hold nothing a new one would not.
  private func prune(_ buckets: inout [String: RateLimiter], now: ContinuousClock.Instant) {
    buckets = buckets.filter { now - $0.value.lastUse < .seconds(Double(burst) / $0.value.perSecond) }
  }
}

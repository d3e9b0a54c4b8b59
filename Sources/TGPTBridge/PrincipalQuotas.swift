import TGPTEvents

/// What each principal may use of a server at once, so one cannot starve another: requests in
/// flight (turns, history, deletes), requests a minute, and sessions open (sessions with a
/// connection or an HTTP request open). Counted per server process.
package final class PrincipalQuotas: Sendable {
  /// The limits; 0 is no limit.
  package struct Limits: Sendable, Equatable {
    package var inFlight: Int
    package var perMinute: Double
    package var sessions: Int

    package init(inFlight: Int = 32, perMinute: Double = 600, sessions: Int = 64) {
      self.inFlight = inFlight
      self.perMinute = perMinute
      self.sessions = sessions
    }
  }

  /// Which quota refused, and its limit.
  package enum Refusal: Equatable, Sendable, CustomStringConvertible {
    case inFlight(Int)
    case perMinute(Double)
    case sessions(Int)

    package var description: String {
      switch self {
      case .inFlight(let limit): "\(limit) requests in flight at once"
      case .perMinute(let limit):
        "\(limit == limit.rounded() && limit < 1e15 ? String(Int(limit)) : String(limit)) requests a minute"
      case .sessions(let limit): "\(limit) sessions open at once"
      }
    }
  }

  private struct Usage {
    var inFlight = 0
    var bucket: RateLimiter
    /// Open connections and requests of each session.
    var sessions: [String: Int] = [:]
  }

  package let limits: Limits
  private let usage = Guarded<[String: Usage]>([:])

  package init(limits: Limits) { self.limits = limits }

  /// Counts a request of `principal` as in flight, unless a quota refuses it.
  package func begin(for principal: String, now: ContinuousClock.Instant = .now) -> Refusal? {
    withUsage(of: principal, now: now) { usage in
      if limits.inFlight > 0, usage.inFlight >= limits.inFlight { return .inFlight(limits.inFlight) }
      if !usage.bucket.allow(now: now) { return .perMinute(limits.perMinute) }
      usage.inFlight += 1
      return nil
    }
  }

  /// A request counted by `begin` has ended.
  package func end(for principal: String) {
    usage.withLock { $0[principal]?.inFlight -= 1 }
  }

  /// Counts a connection (or request) to `principal`'s session `sessionID` as open, unless it
  /// would open one session too many.
  package func open(_ sessionID: String, for principal: String, now: ContinuousClock.Instant = .now) -> Refusal? {
    withUsage(of: principal, now: now) { usage in
      if usage.sessions[sessionID] == nil, limits.sessions > 0, usage.sessions.count >= limits.sessions {
        return .sessions(limits.sessions)
      }
      usage.sessions[sessionID, default: 0] += 1
      return nil
    }
  }

  /// A connection counted by `open` has closed.
  package func close(_ sessionID: String, for principal: String) {
    usage.withLock { usage in
      guard let open = usage[principal]?.sessions[sessionID] else { return }
      usage[principal]?.sessions[sessionID] = open > 1 ? open - 1 : nil
    }
  }

  /// What `principal` has in flight and open now.
  package func current(for principal: String) -> (inFlight: Int, sessions: Int) {
    usage.withLock { ($0[principal]?.inFlight ?? 0, $0[principal]?.sessions.count ?? 0) }
  }

  // Principals come from the server's tokens file, so this table never grows past it.
  private func withUsage<T>(of principal: String, now: ContinuousClock.Instant, _ body: (inout Usage) -> T) -> T {
    usage.withLock { table in
      var entry =
        table[principal]
        ?? Usage(
          bucket: RateLimiter(
            perSecond: limits.perMinute / 60, burst: max(1, Int(min(limits.perMinute / 6, 1e9))), now: now))
      defer { table[principal] = entry }
      return body(&entry)
    }
  }
}

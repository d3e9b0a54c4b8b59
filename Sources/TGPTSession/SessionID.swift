import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Session ids (the rule is `SessionIDRule`, shared with programs that do not link the store).
package enum SessionID {
  /// The rule, as told to users.
  package static let rule = SessionIDRule.text

  /// Whether `id` follows the rule.
  package static func isValid(_ id: String) -> Bool { SessionIDRule.isValid(id) }

  /// A new id: the UTC time and eight random hex digits (see `SessionIDRule.make(now:)`).
  package static func make(now: Int64 = WallClock.milliseconds()) -> String { SessionIDRule.make(now: now) }
}

/// Wall-clock time in milliseconds since 1970, as stored.
package enum WallClock {
  package static func milliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
  }
}

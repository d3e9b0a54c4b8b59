import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Session ids (the rule is `SessionIDRule`, shared with programs that do not link the store).
public enum SessionID {
  /// The rule, as told to users.
  public static let rule = SessionIDRule.text

  /// Whether `id` follows the rule.
  public static func isValid(_ id: String) -> Bool { SessionIDRule.isValid(id) }

  /// A new id: the UTC time and eight random hex digits (`20261129-071530-3fa2c9d1`),
  /// sortable and easy to type. 32 random bits make two ids made in the same second collide
  /// about once in 4 billion pairs.
  public static func make(now: Int64 = Clock.milliseconds()) -> String {
    var seconds = time_t(now / 1000)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func pad(_ value: Int32, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    let date = pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2)
    let clock = pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2)
    let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    return "\(date)-\(clock)-\(String(repeating: "0", count: 8 - random.count))\(random)"
  }
}

/// Wall-clock time in milliseconds since 1970, as stored.
public enum Clock {
  public static func milliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Which session ids the toolkit accepts: 1–128 characters of `[A-Za-z0-9._:-]`, so they are
/// safe in file names, URLs (`/ws/chat/{id}`) and shell words without quoting.
package enum SessionIDRule {
  /// The rule, as told to users.
  package static let text = "1 to 128 characters of A-Z a-z 0-9 . _ : -"

  /// Whether `id` follows the rule.
  package static func isValid(_ id: some StringProtocol) -> Bool {
    let bytes = id.utf8
    guard (1...128).contains(bytes.count) else { return false }
    return bytes.allSatisfy(isIDByte)
  }

  /// Whether `byte` may be in a session id: `[A-Za-z0-9._:-]`.
  static func isIDByte(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
      || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
      || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
  }

  /// A new id: the UTC time and eight random hex digits (`20261129-071530-3fa2c9d1`),
  /// sortable and easy to type. 32 random bits make two ids made in the same second collide
  /// about once in 4 billion pairs. `now` is in milliseconds since 1970.
  package static func make(now: Int64) -> String {
    var seconds = time_t(now / 1000)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func pad(_ value: Int32, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    let date = pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2)
    let clock = pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2)
    return "\(date)-\(clock)-\(randomTag())"
  }

  /// Eight random hex digits, the end of a made id; also what tells one run's sessions from
  /// another's (`bench-3fa2c9d1-…`).
  package static func randomTag() -> String {
    // The system generator (getrandom): unpredictable, as makeUnguessable needs.
    let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    return String(repeating: "0", count: 8 - random.count) + random
  }

  /// A new id no one can guess: the UTC time and 128 random bits in hex
  /// (`20261129-071530-3fa2c9d1…`, 48 characters), for ids a server or a remote client makes,
  /// where another client of the same principal must not find the session by trying.
  package static func makeUnguessable(now: Int64) -> String {
    make(now: now) + (0..<3).map { _ in randomTag() }.joined()
  }

  /// A new id made now.
  package static func make() -> String { make(now: WallClock.milliseconds()) }

  /// A new id no one can guess, made now.
  package static func makeUnguessable() -> String { makeUnguessable(now: WallClock.milliseconds()) }
}

/// Wall-clock time in milliseconds since 1970, as stored and as session ids carry it. (Time
/// that must not jump with the wall clock is `ContinuousClock`'s.)
package enum WallClock {
  package static func milliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
  }
}

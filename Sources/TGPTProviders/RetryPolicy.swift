#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// When and how long to wait before trying a request again.
///
/// Only failures before the first piece of the answer are retried (the runner enforces that).
/// The wait is the provider's own `retry-after-ms`/`Retry-After` when it sends one, capped at
/// `maxRetryAfter`; otherwise exponential backoff with jitter:
/// `min(baseDelay·2ⁿ⁻¹, maxDelay) × (1 − 0.25·random)`.
package struct RetryPolicy: Sendable {
  /// Retries after the first attempt.
  package var retries: Int
  /// The longest wait a server's `Retry-After` can impose, in seconds.
  package var maxRetryAfter: Double
  package var baseDelay: Double
  package var maxDelay: Double

  package init(retries: Int = 3, maxRetryAfter: Double = 60, baseDelay: Double = 0.5, maxDelay: Double = 8) {
    self.retries = retries
    self.maxRetryAfter = maxRetryAfter
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
  }

  /// Seconds to wait before retry number `retry` (1-based) after `error`.
  package func delay(beforeRetry retry: Int, after error: ProviderError) -> Double {
    if let requested = error.retryAfter { return min(max(0, requested), maxRetryAfter) }
    let exponential = min(baseDelay * Double(1 << min(retry - 1, 20)), maxDelay)
    return exponential * (1 - 0.25 * Double.random(in: 0..<1))
  }

  /// The wait a response asks for: `retry-after-ms`, else `Retry-After` as seconds or as an
  /// HTTP date.
  static func retryAfter(_ headers: HTTPHeaders) -> Double? {
    if let ms = headers["retry-after-ms"].flatMap({ Double($0.trimmingSpaces) }), ms >= 0 { return ms / 1000 }
    guard let value = headers["retry-after"]?.trimmingSpaces, !value.isEmpty else { return nil }
    if let seconds = Double(value) { return max(0, seconds) }
    guard let date = parseHTTPDate(value) else { return nil }
    return max(0, Double(date - time(nil)))
  }

  /// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into seconds since the epoch.
  static func parseHTTPDate(_ text: String) -> Int? {
    let parts = text.split(separator: " ")
    guard parts.count == 6, parts[5] == "GMT" else { return nil }
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    guard let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3]) else {
      return nil
    }
    let clock = parts[4].split(separator: ":").compactMap { Int($0) }
    guard clock.count == 3 else { return nil }
    var fields = tm()
    fields.tm_year = Int32(year - 1900)
    fields.tm_mon = Int32(month)
    fields.tm_mday = Int32(day)
    fields.tm_hour = Int32(clock[0])
    fields.tm_min = Int32(clock[1])
    fields.tm_sec = Int32(clock[2])
    return Int(timegm(&fields))
  }
}

extension String {
  var trimmingSpaces: String {
    var slice = Substring(self)
    while let first = slice.first, first.isWhitespace { slice.removeFirst() }
    while let last = slice.last, last.isWhitespace { slice.removeLast() }
    return String(slice)
  }
}

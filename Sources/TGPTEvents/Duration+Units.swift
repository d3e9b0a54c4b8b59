extension Duration {
  /// The duration in seconds, fractions included.
  package var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }

  /// Whole or fractional seconds as people write them, to the millisecond: "30", "0.5".
  package var secondsText: String {
    let (seconds, attoseconds) = components
    if attoseconds == 0 { return String(seconds) }
    return String((inSeconds * 1000).rounded() / 1000)
  }

  /// The duration in milliseconds, fractions included.
  package var inMilliseconds: Double { inSeconds * 1000 }

  /// Whole milliseconds, rounded up (for `poll`, which must not wake before the moment).
  package var roundedUpMilliseconds: Int {
    let (seconds, attoseconds) = components
    return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
  }

  /// `seconds` as a duration, clamped to 0…10⁹ s so that no setting can overflow an instant.
  package static func clampedSeconds(_ seconds: Double) -> Duration { .seconds(min(max(seconds, 0), 1e9)) }
}

/// A time to live as people write it: `90` or `90s` seconds, `15m`, `1h`, `7d`; `0` is none.
package enum TTL {
  /// The seconds `text` stands for, or nil when it is not a duration.
  package static func seconds(_ text: String) -> Int? {
    guard let last = text.last else { return nil }
    let unit: Int
    var digits = Substring(text)
    switch last {
    case "s": unit = 1
    case "m": unit = 60
    case "h": unit = 3600
    case "d": unit = 86400
    default: unit = 1
    }
    if !last.isNumber { digits = digits.dropLast() }
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let count = Int(digits), count >= 0,
      count <= Int(Int32.max) / unit
    else { return nil }
    return count * unit
  }

  /// How durations are written, for messages.
  package static let rule = "seconds, or a number with s, m, h or d (30s, 15m, 1h, 7d); 0 for none"
}

/// Facts about an API base URL (`https://host/v1`) that messages and requests need.
enum BaseURL {
  /// The endpoint paths a user may have given as part of the base URL.
  static let endpoints = ["/chat/completions", "/messages"]

  /// `base` without a trailing slash or a trailing endpoint path: the API root.
  static func root(_ base: String) -> String {
    var root = Substring(base)
    while root.hasSuffix("/") { root = root.dropLast() }
    for endpoint in endpoints where root.hasSuffix(endpoint) { root = root.dropLast(endpoint.count) }
    return String(root)
  }

  /// `base` with `/v1` appended when its path has no version segment (`v1`, `v2`, `v1beta`),
  /// else nil. OpenAI-compatible servers serve their API under `/v1`, and a base URL without it
  /// is the usual cause of a 404 (`http://127.0.0.1:8000` instead of `http://127.0.0.1:8000/v1`).
  static func withVersion(_ base: String) -> String? {
    let root = root(base)
    guard let colon = root.firstIndex(of: ":"), root[colon...].hasPrefix("://") else { return nil }
    let path = root[colon...].dropFirst(3).drop { $0 != "/" }
    let hasVersion = path.split(separator: "/").contains { isVersion($0) }
    return hasVersion ? nil : root + "/v1"
  }

  /// Whether a path segment names an API version: `v` and digits, maybe a word and digits after.
  static func isVersion(_ segment: Substring) -> Bool {
    let scalars = Array(segment.lowercased().unicodeScalars)
    guard scalars.count >= 2, scalars[0] == "v", ("0"..."9").contains(scalars[1]) else { return false }
    return scalars.dropFirst().allSatisfy { ("0"..."9").contains($0) || ("a"..."z").contains($0) }
  }

  /// `text` with everything but unreserved URL characters percent-encoded, for a query value.
  static func queryEscaped(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      let c = Unicode.Scalar(byte)
      if ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
        || "-._~".unicodeScalars.contains(c)
      {
        out.unicodeScalars.append(c)
      } else {
        out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
      }
    }
    return out
  }
}

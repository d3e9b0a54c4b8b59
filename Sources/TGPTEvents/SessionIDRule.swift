/// Which session ids the toolkit accepts: 1–128 characters of `[A-Za-z0-9._:-]`, so they are
/// safe in file names, URLs (`/ws/chat/{id}`) and shell words without quoting.
public enum SessionIDRule {
  /// The rule, as told to users.
  public static let text = "1 to 128 characters of A-Z a-z 0-9 . _ : -"

  /// Whether `id` follows the rule.
  public static func isValid(_ id: some StringProtocol) -> Bool {
    let bytes = id.utf8
    guard (1...128).contains(bytes.count) else { return false }
    return bytes.allSatisfy { byte in
      (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
        || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
    }
  }
}

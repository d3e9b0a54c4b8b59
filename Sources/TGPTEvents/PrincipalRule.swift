/// Who owns sessions. A principal is a name (`alice`, `team-b`); each principal has its own
/// sessions, so alice's `work` and bob's `work` are different sessions. Local commands act as
/// `PrincipalRule.default` unless told otherwise; a server names the principal its token
/// belongs to on each message line (`"principal"`).
package enum PrincipalRule {
  /// The principal of local commands and of a server with a single `--token`.
  package static let `default` = "default"

  /// The rule, as told to users.
  package static let text = "1 to 64 characters of A-Z a-z 0-9 . _ -"

  /// Whether `name` follows the rule: like a session id without `:`, so a principal and a
  /// session id joined by `:` (`alice:work`) name one session unambiguously in logs and locks.
  package static func isValid(_ name: some StringProtocol) -> Bool {
    let bytes = name.utf8
    guard (1...64).contains(bytes.count) else { return false }
    return bytes.allSatisfy { $0 != UInt8(ascii: ":") && SessionIDRule.isIDByte($0) }
  }
}

import TGPTEvents

/// Session ids (the rule is `SessionIDRule`, shared with programs that do not link the store).
package enum SessionID {
  /// The rule, as told to users.
  package static let rule = SessionIDRule.text

  /// Whether `id` follows the rule.
  package static func isValid(_ id: String) -> Bool { SessionIDRule.isValid(id) }

  /// A new id: the UTC time and eight random hex digits (see `SessionIDRule.make(now:)`).
  package static func make(now: Int64 = WallClock.milliseconds()) -> String { SessionIDRule.make(now: now) }
}

import TGPTEvents

/// Tells a mistyped command apart from a message, for programs whose default command takes
/// free words: `tgpt-session lst` or `tgpt-session models` is a user reaching for a command, and
/// sending it to a paid model would cost money and leave a junk session.
///
/// A message is taken for a command when its first word is one of `habits` (commands other
/// tools have; up to three words, as in `keys set openrouter`) or is one or two letters away
/// from a command name (up to two words). Words of a quoted phrase, or with punctuation, never
/// look like a command.
public struct MistypedCommand: Sendable, Equatable {
  /// The word the user typed.
  public var word: String
  /// What to say instead: `did you mean list?` or where the feature lives.
  public var hint: String

  /// The hint for `words` when they look like a mistyped command, else nil.
  /// - Parameters:
  ///   - commands: the program's command names.
  ///   - habits: words of other tools' commands, each with what to say instead.
  public static func check(_ words: [String], commands: [String], habits: [String: String]) -> MistypedCommand? {
    guard let first = words.first, words.count <= 3, words.allSatisfy(isBareWord) else { return nil }
    let lowered = first.lowercased()
    if let hint = habits[lowered] { return MistypedCommand(word: first, hint: hint) }
    guard words.count <= 2, lowered.count >= 2, !conversational.contains(lowered) else { return nil }
    let near = commands.filter { EditDistance.between(lowered, $0) <= allowedDistance(lowered, $0) }
    guard !near.isEmpty, !commands.contains(lowered) else { return nil }
    return MistypedCommand(word: first, hint: "did you mean \(near.joined(separator: " or "))?")
  }

  /// Letters, digits, `-` and `_`: what a command or argument looks like. A word with a space
  /// came from quotes; one with punctuation reads as prose.
  static func isBareWord(_ word: String) -> Bool {
    !word.isEmpty && word.unicodeScalars.allSatisfy { ($0.isASCII && $0.properties.isAlphabetic) || isDigitOrDash($0) }
  }

  private static func isDigitOrDash(_ scalar: Unicode.Scalar) -> Bool {
    ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
  }

  /// One edit for short words; two when both are long enough that two edits cannot turn one
  /// ordinary word into another (`exprot` → export, but `hello` is not `help`).
  private static func allowedDistance(_ word: String, _ command: String) -> Int {
    word.count >= 6 && command.count >= 6 ? 2 : 1
  }

  /// Words people do send alone that sit one edit from a command name (`what` → chat,
  /// `how` → show, `test` → set).
  static let conversational: Set<String> = [
    "what", "that", "how", "who", "why", "hi", "hey", "test", "tests", "testing", "yes", "no", "ok", "thanks",
    "cat", "hat", "let", "get", "bet", "net", "sat", "last", "lost", "snow", "slow", "shop", "shot", "turns",
    "am", "um", "em", "nerve", "verve", "chats",
  ]
}

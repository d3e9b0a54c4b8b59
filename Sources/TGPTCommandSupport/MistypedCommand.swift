import TGPTEvents

/// Tells a mistyped command apart from a message, for programs whose default command takes
/// free words: `tgpt-session lst` or `tgpt-session models` is a user reaching for a command, and
/// sending it to a paid model would cost money and leave a junk session.
///
/// Words are taken for a command when
/// - the first is a command's name (it reached the default command because options came
///   first: `tgpt-session -s work list`);
/// - the first is one of `habits`, other tools' command words, alone or followed by a verb as
///   in `keys set openrouter` (`history of rome` is a message);
/// - a single word is one slip of the finger from a command name (`lst`, `lsit`, `exprot`):
///   a letter left out, doubled, swapped, or replaced by its neighbour on the keyboard.
/// Quoted phrases (a word with a space) and words with punctuation are always messages.
package struct MistypedCommand: Sendable, Equatable {
  /// The word the user typed.
  package var word: String
  /// What is wrong and what to say instead: `'lst' is not a command: did you mean list?`.
  package var hint: String

  /// The hint for `words` when they look like a mistyped command, else nil.
  /// - Parameters:
  ///   - commands: the program's command names.
  ///   - habits: words of other tools' commands, each with what to say instead.
  package static func check(_ words: [String], commands: [String], habits: [String: String]) -> MistypedCommand? {
    guard let first = words.first, words.allSatisfy(isBareWord) else { return nil }
    let lowered = first.lowercased()
    if commands.contains(lowered) {
      return MistypedCommand(word: first, hint: "'\(lowered)' is a command, and commands come first: \(lowered) …")
    }
    if let hint = habits[lowered], words.count == 1 || (words.count <= 4 && verbs.contains(words[1].lowercased())) {
      return MistypedCommand(word: first, hint: "'\(first)' is not a command: \(hint)")
    }
    guard words.count == 1, lowered.count >= 2, !conversational.contains(lowered) else { return nil }
    let near = commands.filter { EditDistance.between(lowered, $0, keyboard: true) == 1 }
    guard !near.isEmpty else { return nil }
    return MistypedCommand(
      word: first, hint: "'\(first)' is not a command: did you mean \(near.joined(separator: " or "))?")
  }

  /// Letters, digits, `-` and `_`: what a command or argument looks like. A word with a space
  /// came from quotes; one with punctuation reads as prose.
  static func isBareWord(_ word: String) -> Bool {
    !word.isEmpty && word.unicodeScalars.allSatisfy { ($0.isASCII && $0.properties.isAlphabetic) || isDigitOrDash($0) }
  }

  private static func isDigitOrDash(_ scalar: Unicode.Scalar) -> Bool {
    ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
  }

  /// What follows a command word in other tools (`keys set`, `models list`).
  static let verbs: Set<String> = [
    "set", "get", "list", "ls", "show", "add", "rm", "remove", "delete", "use", "default", "path", "edit",
  ]

  /// Words people do send alone that sit one slip from a command name (`how` → show,
  /// `server` → serve).
  static let conversational: Set<String> = [
    "how", "who", "hi", "test", "tests", "sets", "turns", "chats", "shows", "lists", "checks", "server", "servers",
    "searches", "renamed", "served", "listed", "checked", "searched", "exports", "imports",
  ]
}

import Foundation

/// One shell example of a document or a help text, as a user would type it.
struct DocExample: Sendable, Equatable {
  /// Where it stands: the document's line (README.md, docs/GUIDE.md), or the example's number
  /// in a help text's "Examples:".
  var line: Int
  /// The command, continuation lines included (a cron line: its command only).
  var command: String
  /// Why it is not run, when a marker says so.
  var notRun: String?
  /// A server written in the foreground (in a help text): run in the background until its
  /// block ends.
  var server = false

  /// The command without its trailing comment (quotes respected).
  var code: String { ShellText.withoutComment(command) }

  /// It ends in `&` (or is a `server`): started in the background, stopped when its block ends.
  var isBackground: Bool {
    if server { return true }
    let code = code.trimmingCharacters(in: .whitespaces)
    return code.hasSuffix("&") && !code.hasSuffix("&&")
  }
}

/// The examples of one fenced block (or one help text's "Examples:"), run in order in one
/// sandbox, so a later example may use what an earlier one made.
struct DocBlock: Sendable, CustomStringConvertible {
  /// "README.md", "docs/GUIDE.md", "tgpt-session search --help".
  var document: String
  /// The line of the opening fence (help texts: 0).
  var line: Int
  var examples: [DocExample]

  var description: String { line > 0 ? "\(document):\(line)" : document }

  /// Where one example stands, for messages.
  func place(_ example: DocExample) -> String {
    line > 0 ? "\(document):\(example.line)" : "\(document), example \(example.line)"
  }
}

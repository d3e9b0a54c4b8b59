import Foundation

/// Splits the lines of a shell block into examples: `$ ` prompts are dropped, blank lines and
/// lines that are only a comment are not examples, a line ending in `\`, `|`, `&&` or `||` (or
/// inside an open quote) goes on with the next, and a crontab line (five time fields, then the
/// command) stands for its command.
enum ShellText {
  static func examples(_ lines: [(number: Int, text: String)], notRun: (String) -> String?) -> [DocExample] {
    var examples: [DocExample] = []
    var pending: (line: Int, text: [String])?
    for (number, raw) in lines {
      let text = raw.hasPrefix("$ ") ? String(raw.dropFirst(2)) : raw
      if pending == nil {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
        pending = (number, [])
      }
      pending?.text.append(text)
      let joined = pending!.text.joined(separator: "\n")
      if continues(joined) { continue }
      let command = cronCommand(joined) ?? joined
      examples.append(DocExample(line: pending!.line, command: command, notRun: notRun(command)))
      pending = nil
    }
    if let pending {
      let command = pending.text.joined(separator: "\n")
      examples.append(DocExample(line: pending.line, command: command, notRun: notRun(command)))
    }
    return examples
  }

  /// The text without its comments (from a `#` at the start of a word, outside quotes, to
  /// the end of the line), and whether a quote is still open at its end.
  static func scan(_ text: String) -> (code: String, openQuote: Bool) {
    var code = ""
    var state = QuoteState()
    var previous: Character = " "
    var inComment = false
    for character in text {
      if character == "\n" { inComment = false }
      if !inComment, state.quote == nil, character == "#", previous.isWhitespace || previous == ";" { inComment = true }
      if inComment { continue }
      state.step(character)
      code.append(character)
      previous = character
    }
    return (code, state.quote != nil)
  }

  static func withoutComment(_ text: String) -> String { scan(text).code }

  /// Whether the shell would read another line to finish this command.
  static func continues(_ text: String) -> Bool {
    let (code, openQuote) = scan(text)
    if openQuote { return true }
    let trimmed = code.trimmingCharacters(in: .whitespaces)
    return trimmed.hasSuffix("\\") || trimmed.hasSuffix("|") || trimmed.hasSuffix("&&")
  }

  /// The command of a crontab line (`0 7 * * * command`), nil for any other line.
  static func cronCommand(_ line: String) -> String? {
    let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
    guard fields.count == 6 else { return nil }
    let timeCharacters = Set("0123456789*/,-")
    guard fields.prefix(5).allSatisfy({ $0.allSatisfy(timeCharacters.contains) }) else { return nil }
    return fields[5].trimmingCharacters(in: .whitespaces)
  }

  /// The quoting state of shell text read so far.
  struct QuoteState {
    var quote: Character?
    private var escaped = false

    mutating func step(_ character: Character) {
      if escaped {
        escaped = false
      } else if character == "\\", quote != "'" {
        escaped = true
      } else if let open = quote {
        if character == open { quote = nil }
      } else if character == "'" || character == "\"" {
        quote = character
      }
    }
  }
}

extension ShellText {
  /// Whether `command` names `port` in an address (`host:8000`).
  static func mentionsPort(_ command: String, _ port: String) -> Bool {
    mappingPort(command, port, to: "x") != command
  }

  /// `command` with each `:PORT` of an address replaced by the value of the shell variable
  /// `variable` (within single quotes, by closing and reopening them).
  static func mappingPort(_ command: String, _ port: String, to variable: String) -> String {
    let characters = Array(command)
    let pattern = Array(":" + port)
    var result = ""
    var state = QuoteState()
    var index = 0
    while index < characters.count {
      let end = index + pattern.count
      let matches =
        end <= characters.count && Array(characters[index..<end]) == pattern
        && (end == characters.count || !characters[end].isNumber)
      if matches {
        result += state.quote == "'" ? ":'\"${\(variable)}\"'" : ":${\(variable)}"
        index = end
        continue
      }
      state.step(characters[index])
      result.append(characters[index])
      index += 1
    }
    return result
  }
}

extension ShellText {
  /// tgpt-session commands that answer no message.
  static let managementCommands: Set<String> = [
    "list", "show", "search", "export", "import", "set", "rm", "rename", "check", "chat", "cache",
  ]

  /// Whether `code` asks for an answer and shows it: it runs a turn (tgpt-stream,
  /// tgpt-session without a management command, the tgpt-ws-bridge client, curl on a chat
  /// route) without sending its output to a file or into a variable.
  static func showsAnAnswer(_ code: String) -> Bool {
    if redirectsStdout(code) { return false }
    let trimmed = code.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.range(of: #"^[A-Za-z_][A-Za-z0-9_]*=\$\("#, options: .regularExpression) != nil, trimmed.hasSuffix(")") {
      return false
    }
    let words = code.split(whereSeparator: \.isWhitespace).map(String.init)
    for (index, word) in words.enumerated() {
      let next = index + 1 < words.count ? words[index + 1] : ""
      switch word {
      case "tgpt-stream": return true
      case "tgpt-session" where !managementCommands.contains(next): return true
      case "tgpt-ws-bridge" where !["serve", "check", "bench"].contains(next): return true
      case "curl" where code.contains("/chat/"): return true
      default: continue
      }
    }
    return false
  }

  /// Whether `code` sends its standard output to a file to a file (`>` or `>>`, not `2>`).
  static func redirectsStdout(_ code: String) -> Bool {
    var state = QuoteState()
    var previous: Character = " "
    for character in code {
      if state.quote == nil, character == ">", previous != ">", !(previous.isNumber && previous != "1"), previous != "&"
      {
        return true
      }
      state.step(character)
      previous = character
    }
    return false
  }
}

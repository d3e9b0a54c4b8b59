import TGPTEvents

/// A chat command (`/help`, `/session work`, …): the seed's commands and ours.
package enum ChatCommand: Sendable, Equatable {
  case help
  case clear
  /// Switch to a session, created on first use.
  case session(String)
  /// Start a new session; nil: make an id.
  case new(String?)
  case quit
  case history
  /// The most recent sessions; `all`: every one.
  case sessions(all: Bool)
  /// Use this model from now on; nil: show the one in use.
  case model(String?)
  case system(SystemPrompt)
  case retry
  case copy
  case attach(Attach)

  /// What `/attach` does to the attachments waiting for the next message.
  package enum Attach: Sendable, Equatable {
    case show
    /// A file's path or an image's URL.
    case add(String)
    case clear
  }

  /// What `/system` does to the system prompt.
  package enum SystemPrompt: Sendable, Equatable {
    case show
    case set(String)
    case clear
  }

  /// How many sessions `/sessions` lists; `/sessions all` lists every one.
  package static let recentSessions = 20

  /// Every command's name and its one-line help, in the order `/help` lists them.
  package static let catalogue: [(usage: String, help: String)] = [
    ("/help", "this list"),
    ("/clear", "clear the screen"),
    ("/session <id>", "switch to a session (created on first use)"),
    ("/new [id]", "start a new session (an id is made when none is given)"),
    ("/history", "this session's turns"),
    ("/sessions [all]", "the \(recentSessions) most recent sessions (all: every one)"),
    ("/model [name]", "use this model from now on (none: show the one in use)"),
    ("/system [text]", "set the system prompt (none: show it; --clear: remove it)"),
    ("/retry", "send the last message again; its answer replaces the last one"),
    ("/copy", "copy the last answer to the clipboard (OSC 52)"),
    ("/attach [path|url]", "send an image or text file with the next message (none: list; --clear: drop)"),
    ("/quit, /exit", "leave (also Ctrl-D, or Ctrl-C at an empty prompt)"),
  ]

  static let names = [
    "help", "clear", "session", "new", "quit", "exit", "history", "sessions", "model", "system", "retry", "copy",
    "attach",
  ]
}

/// What one complete input (a line, or several joined) asks for.
package enum ChatInput: Sendable, Equatable {
  /// Text to send. A line starting `//` sends the rest with one `/`.
  case message(String)
  case command(ChatCommand)
  /// Not sent: a one-line hint saying why (an unknown command, a missing argument).
  case hint(String)
  /// Only whitespace: nothing to do.
  case empty

  /// Reads one input.
  package static func parse(_ text: String) -> ChatInput {
    let trimmed = text.trimmingWhitespace
    if trimmed.isEmpty { return .empty }
    if trimmed.hasPrefix("//") { return .message(String(text.drop { $0 != "/" }.dropFirst())) }
    guard trimmed.hasPrefix("/") else { return .message(text) }
    let body = trimmed.dropFirst()
    let name = String(body.prefix { !$0.isWhitespace }).lowercased()
    let argument = String(body.dropFirst(name.count)).trimmingWhitespace
    switch name {
    case "help", "?": return argumentless(.help, name, argument)
    case "clear": return argumentless(.clear, name, argument)
    case "quit", "exit": return argumentless(.quit, name, argument)
    case "history": return argumentless(.history, name, argument)
    case "sessions":
      if argument.lowercased() == "all" { return .command(.sessions(all: true)) }
      return argument.isEmpty ? .command(.sessions(all: false)) : .hint("/sessions takes no argument, or all")
    case "retry": return argumentless(.retry, name, argument)
    case "copy": return argumentless(.copy, name, argument)
    case "session":
      guard !argument.isEmpty else { return .hint("/session needs an id: /session <id>") }
      return sessionID(argument).map { .command(.session($0)) } ?? invalidID(argument)
    case "new":
      guard !argument.isEmpty else { return .command(.new(nil)) }
      return sessionID(argument).map { .command(.new($0)) } ?? invalidID(argument)
    case "model":
      return .command(.model(argument.isEmpty ? nil : argument))
    case "attach":
      if argument.isEmpty { return .command(.attach(.show)) }
      return .command(.attach(argument == "--clear" ? .clear : .add(argument)))
    case "system":
      if argument.isEmpty { return .command(.system(.show)) }
      return .command(.system(argument == "--clear" ? .clear : .set(argument)))
    default:
      let suggestion = closest(to: name).map { " — did you mean /\($0)?" } ?? ""
      return .hint(
        "unknown command /\(name)\(suggestion) (/help lists them; start with // to send a line beginning with /)")
    }
  }

  private static func argumentless(_ command: ChatCommand, _ name: String, _ argument: String) -> ChatInput {
    argument.isEmpty ? .command(command) : .hint("/\(name) takes no argument")
  }

  private static func sessionID(_ text: String) -> String? { SessionIDRule.isValid(text) ? text : nil }

  private static func invalidID(_ text: String) -> ChatInput {
    .hint("invalid session id '\(text)': use \(SessionIDRule.text)")
  }

  /// The command name nearest to a mistyped one (at most two edits away), if any.
  static func closest(to name: String) -> String? {
    let scored = ChatCommand.names.map { ($0, EditDistance.between(name, $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2, best.1 < name.utf8.count else { return nil }
    return best.0
  }
}

extension StringProtocol {
  var trimmingWhitespace: String {
    String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
  }
}

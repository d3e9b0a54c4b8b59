import ArgumentParser
import TGPTCommandSupport

/// Words that reach the default command (a turn) but are meant as commands: a typo of one of
/// ours, or a command other chat tools have. They are refused before anything is sent.
enum CommandHabits {
  /// What other tools call a command, and where that lives here.
  static let habits: [String: String] = [
    "ls": "did you mean list?", "sessions": "did you mean list?", "history": "did you mean list, or show ID?",
    "log": "did you mean list, or show ID?", "logs": "did you mean list, or show ID?",
    "delete": "did you mean rm?", "del": "did you mean rm?", "remove": "did you mean rm?",
    "mv": "did you mean rename?", "move": "did you mean rename?", "find": "did you mean search?",
    "grep": "did you mean search?", "new": "a new session starts by itself: tgpt-session \"your message\"",
    "models": "the provider's models are listed by tgpt-stream --models",
    "model": "set a session's model with tgpt-session set -m MODEL ID, the default with set --default -m MODEL",
    "keys": "keys come from the environment (OPENROUTER_API_KEY, …) or api_key_cmd in the config file",
    "key": "keys come from the environment (OPENROUTER_API_KEY, …) or api_key_cmd in the config file",
    "login": "keys come from the environment (OPENROUTER_API_KEY, …) or api_key_cmd in the config file",
    "templates": "templates and aliases are profiles in the config file: --profile NAME",
    "template": "templates and aliases are profiles in the config file: --profile NAME",
    "aliases": "templates and aliases are profiles in the config file: --profile NAME",
    "alias": "templates and aliases are profiles in the config file: --profile NAME",
    "config": "the config file is $TGPT_CONFIG, else $XDG_CONFIG_HOME/tgpt/config.toml",
    "version": "did you mean --version?",
  ]

  /// The command names, as typed.
  static var commands: [String] { SessionCommand.configuration.subcommands.compactMap { $0.configuration.commandName } }

  /// Refuses message words that look like a mistyped command, unless `--` marked them as a
  /// message (or the command was named: `tgpt-session turn lst`).
  static func refuseMistyped(_ words: [String], arguments: [String] = CommandLine.arguments) throws {
    guard !arguments.contains("--"), arguments.dropFirst().first != "turn" else { return }
    guard let mistyped = MistypedCommand.check(words, commands: commands, habits: habits) else { return }
    throw ValidationError(
      "\(mistyped.hint) (to send it as a message: tgpt-session -- \(words.joined(separator: " ")))")
  }
}

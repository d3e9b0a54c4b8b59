import ArgumentParser
import TGPTCommandSupport
import TGPTEvents
import TGPTProviderOptions
import TGPTSession

@main
struct SessionCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tgpt-session",
    abstract: "Conversations that persist: send messages in sessions, stream the answers as NDJSON events.",
    discussion: """
      Without a command, a turn: tgpt-session [-s ID] [message…] (see tgpt-session turn --help). \
      A message that begins with a command's name needs --: tgpt-session -s work -- list the steps. \
      Words that look like a mistyped command (lst, logs, models, keys set …) are refused with \
      a hint, not sent; -- sends them. \
      Sessions are kept in a SQLite file in the data directory ($TGPT_HOME, else \
      $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or --store / TGPT_STORE. \
      Session ids are \(SessionID.rule). \
      Exit codes: 0 ok, 64 usage, 65 bad input or context overflow, 69 unavailable, 75 rate \
      limited or timed out, 77 auth, 78 config, 130 SIGINT, 143 SIGTERM.

      Examples:
        echo "Why is the sky blue?" | tgpt-session -s work | tgpt-render
        tgpt-session -c "and in the evening?" | tgpt-render
        tgpt-session list
        tgpt-session export work > work.ndjson && tgpt-session import --as work2 work.ndjson
        tgpt-session -s trip --tool clock.json "what time is it in Tokyo?" | tgpt-render
        tgpt-session -s trip --tools clock --mcp "uvx mcp-server-time" "and in Lima?"
      """,
    version: "tgpt-session \(ToolkitVersion.string)",
    subcommands: [
      TurnCommand.self, ServeCommand.self, InteractiveChatCommand.self, ListCommand.self, ShowCommand.self,
      RemoveCommand.self,
      RenameCommand.self, SetCommand.self, ExportCommand.self, ImportCommand.self, SearchCommand.self,
      CheckCommand.self, CacheCommand.self,
    ],
    defaultSubcommand: TurnCommand.self
  )

  static func main() async {
    // `--cache` takes the next word as its TTL only when it is one: `--cache "what now?"` is
    // --cache alone and a message.
    await runMain(program: "tgpt-session", optionalValues: [OptionalValue("--cache") { TTL.seconds($0) != nil }])
  }
}

/// The store of a management command, with the config file's `store` setting honoured.
func openStore(_ options: StoreOptions, _ access: StoreOptions.Access) async throws -> any SessionStore {
  let config = try ConfigFile.load(path: ConfigFile.defaultPath)
  config.warnings.forEach(Diagnostics.warning)
  return try await options.open(config: config, access: access)
}

/// Checks a session id given on the command line.
func validateSessionID(_ id: String) throws {
  guard SessionID.isValid(id) else { throw ValidationError("invalid session id '\(id)': use \(SessionID.rule)") }
}

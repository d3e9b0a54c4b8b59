import ArgumentParser
import TGPTCommandSupport
import TGPTEvents
import TGPTOrchestrator
import TGPTProviderOptions
import TGPTTools

/// Who agrees to a tool call before it runs (`--approve`).
enum ApprovalMode: String, ExpressibleByArgument, CaseIterable, Sendable {
  case ask, always, never
}

/// The tools offered to the model: executables and MCP servers, from flags and the config.
struct ToolOptions: ParsableArguments {
  @Option(
    name: .customLong("tool"),
    help: ArgumentHelp(
      "Offer the tool defined in this JSON file (name, description, parameters, command, timeout_s, max_output_bytes); repeatable.",
      valueName: "file"))
  var toolFiles: [String] = []

  @Option(
    name: .customLong("tools"),
    help: ArgumentHelp(
      "Offer these tools by name, from tools/NAME.json beside the config file (comma-separated; with the config's tools = [...]).",
      valueName: "names"))
  var toolNames: [String] = []

  @Option(
    name: .customLong("mcp"),
    help: ArgumentHelp(
      "Start this MCP server over stdio and offer its tools: a command and its arguments, split like shell words, run without a shell; repeatable. Config: [mcp.NAME] command = [...].",
      valueName: "command"))
  var mcpCommands: [String] = []

  @Option(
    help: ArgumentHelp(
      "Before each tool call: ask (on the terminal; denied when there is none), always, or never. Default: ask in the chat, always elsewhere (enabling a tool is consent).",
      valueName: "mode"))
  var approve: ApprovalMode?

  @Option(
    help: ArgumentHelp(
      "Rounds of tool calls in one turn before it ends with an error.", valueName: "n"))
  var maxToolRounds = TurnTools.defaultMaxRounds

  @Flag(help: "Offer no tools, not even the config file's.")
  var noTools = false

  func validate() throws {
    if maxToolRounds < 1 { throw ValidationError("--max-tool-rounds must be at least 1") }
    if noTools, !toolFiles.isEmpty || !toolNames.isEmpty || !mcpCommands.isEmpty {
      throw ValidationError("--no-tools cannot be combined with --tool, --tools or --mcp")
    }
    for command in mcpCommands {
      do {
        if try ShellWords.split(command).isEmpty { throw ValidationError("--mcp needs a command") }
      } catch let failure as ShellWords.Failure {
        throw ValidationError("--mcp: \(failure.description)")
      }
    }
  }

  /// The flags given, for refusing them where they mean nothing (`chat --api-url`).
  var givenFlags: [String] {
    [
      ("--tool", !toolFiles.isEmpty), ("--tools", !toolNames.isEmpty), ("--mcp", !mcpCommands.isEmpty),
      ("--approve", approve != nil), ("--no-tools", noTools),
    ].filter(\.1).map(\.0)
  }

  /// Loads the tools and starts the MCP servers; nil when none is enabled. The servers live
  /// until `shutdown()` of the box.
  func load(config: ConfigFile) async throws(ToolError) -> ToolBox? {
    guard !noTools else { return nil }
    let names = (config.tools + toolNames.flatMap { $0.split(separator: ",").map(String.init) })
      .filter { !$0.isEmpty }
    var servers = config.mcpServers
    for command in mcpCommands {
      guard let words = try? ShellWords.split(command), !words.isEmpty else { continue }
      // Named by what was typed, so an error says which of several `python3 …` it was.
      let typed = words.joined(separator: " ")
      servers.append((typed.count > 60 ? String(typed.prefix(59)) + "…" : typed, words))
    }
    guard !toolFiles.isEmpty || !names.isEmpty || !servers.isEmpty else { return nil }
    var executables = try toolFiles.map { path throws(ToolError) in try ExecutableTool.load(path: path) }
    if !names.isEmpty {
      let directory = config.toolsDirectory ?? "tools"
      var unique: [String] = []
      for name in names where !unique.contains(name) { unique.append(name) }
      executables += try ToolCatalog(directory: directory).load(unique)
    }
    var started: [MCPServer] = []
    do {
      let seconds = ProcessEnvironment.value("TGPT_MCP_START_TIMEOUT").flatMap(Double.init).flatMap {
        $0 > 0 ? $0 : nil
      }
      let startTimeout = Duration.milliseconds(Int((seconds ?? 30) * 1000))
      for server in servers {
        started.append(
          try await MCPServer.start(name: server.name, command: server.command, startTimeout: startTimeout))
      }
      return try ToolBox(executables: executables, servers: started)
    } catch {
      for server in started { await server.stop() }
      throw error
    }
  }

  /// The tools of a turn with `box`: approval as asked (`ask` through `asker`, or denied
  /// when there is no one to ask), else the program's default.
  func turnTools(_ box: ToolBox, defaultMode: ApprovalMode, asker: TerminalApprover?) -> TurnTools {
    let approval: ToolApproval
    switch approve ?? defaultMode {
    case .always: approval = .always
    case .never: approval = .never(reason: "tool calls are not approved (--approve never)")
    case .ask:
      approval =
        if let asker { .ask { await asker.ask($0) } } else {
          .never(reason: "--approve ask, and there is no terminal to ask on")
        }
    }
    return TurnTools(executor: box, approval: approval, maxRounds: maxToolRounds)
  }
}

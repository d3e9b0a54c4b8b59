import Foundation
import TGPTEvents
import Testing

/// Every shell example of README.md, docs/GUIDE.md and the programs' help (so of the man pages,
/// made from the same text) runs as a new user would run it, in a sandbox (`DocSandbox`): it
/// exits 0 (every command of a pipeline: the examples run with `pipefail`), writes no
/// `error:` on stderr, and one that asks for an answer shows one, unless it sends it to a
/// file. Examples that cannot run unattended are skipped only where a marker in the document
/// (or, for help texts, `helpDirectives`) says why, and each run lists them.
@Suite(.timeLimit(.minutes(10))) struct DocExampleTests {
  static let documents = ["README.md", "docs/GUIDE.md"]
  static let programs = ["tgpt-stream", "tgpt-session", "tgpt-ws-bridge", "tgpt-render"]

  /// Help texts have no room for markers: their examples that are not run, and servers
  /// written in the foreground, are named here. An entry that names no example fails.
  static let helpDirectives: [HelpDirective] = [
    HelpDirective(document: "tgpt-ws-bridge serve --help", command: "tgpt-ws-bridge serve --port 8000", server: true),
    HelpDirective(
      document: "tgpt-ws-bridge serve --help",
      command: "TGPT_SERVER_TOKEN=secret tgpt-ws-bridge serve --host 0.0.0.0 --tls-cert c.pem --tls-key k.pem",
      notRun: "listens on every interface on the fixed port 8000, with the user's certificate"),
    HelpDirective(
      document: "tgpt-ws-bridge serve --help",
      command: "tgpt-ws-bridge serve --host 0.0.0.0 --tokens /etc/tgpt/tokens --tls-cert c.pem --tls-key k.pem",
      notRun: "listens on every interface on the fixed port 8000, with the user's tokens file and certificate"),
    HelpDirective(
      document: "tgpt-ws-bridge serve --help",
      command: "tgpt-ws-bridge serve --port 0 -- tgpt-session serve --provider echo",
      server: true),
    HelpDirective(
      document: "tgpt-ws-bridge bench --help",
      command: "tgpt-ws-bridge bench ws://127.0.0.1:8000 --sessions 1000 --messages 5",
      notRun: "a load test of 5000 turns (20 s of CPU); README.md's tgpt-ws-bridge block runs the same command"),
    HelpDirective(
      document: "tgpt-ws-bridge connect --help",
      command: "tgpt-ws-bridge --session work 'ws://chat.example/ws/chat/{session_id}' < questions.txt",
      notRun: "a server on the internet"),
    HelpDirective(
      document: "tgpt-session export --help", command: "tgpt-session export work | ssh other-host tgpt-session import",
      notRun: "needs another host"),
    HelpDirective(
      document: "tgpt-session chat --help", command: "tgpt-session chat -s work", notRun: "needs a terminal"),
    HelpDirective(
      document: "tgpt-session --help",
      command: #"tgpt-session -s trip --tools clock --mcp "uvx mcp-server-time" "and in Lima?""#,
      notRun: "needs uvx and PyPI"),
    HelpDirective(
      document: "tgpt-session chat --help", command: "tgpt-session chat --provider echo", notRun: "needs a terminal"),
    HelpDirective(
      document: "tgpt-render --help", command: #"tgpt-stream "tell me a story" | tgpt-render --speak"#,
      notRun: "speaks through the sound card; the next example writes WAV files instead"),
    HelpDirective(
      document: "tgpt-session chat --help", command: "tgpt-session chat --api-url ws://127.0.0.1:8000 -s work",
      notRun: "needs a terminal"),
  ]

  static func markdownBlocks() throws -> [DocBlock] { try documents.flatMap(DocSources.markdown) }

  static func helpBlocks(_ program: String) async throws -> [DocBlock] {
    let dump = try await Harness.run(program, ["--experimental-dump-help"])
    #expect(dump.status == 0, "\(program) --experimental-dump-help: \(dump.stderr)")
    return DocSources.help(program, dump: try JSON.parse(dump.text), directives: helpDirectives)
  }

  @Test(arguments: try markdownBlocks()) func markdownExamplesRun(_ block: DocBlock) async throws {
    try await DocRun.check(block)
  }

  @Test(arguments: programs) func helpExamplesRun(_ program: String) async throws {
    let blocks = try await Self.helpBlocks(program)
    #expect(!blocks.isEmpty, "\(program) --help has no examples")
    try await withThrowingTaskGroup { group in
      for block in blocks { group.addTask { try await DocRun.check(block) } }
      try await group.waitForAll()
    }
  }

  /// The runner sees what a new user would meet: a failed command in a pipeline, an error on
  /// stderr, an answer that never showed; and it keeps the shell's state from one example to
  /// the next, and brings up the documented server on a free port.
  @Test func theRunnerReportsWhatFails() async throws {
    let markdown = """
      ```sh
      tgpt-ws-bridge serve --port 8000 &
      curl -s localhost:8000/healthz
      false | cat
      tgpt-session show no-such-session
      tgpt-stream --provider echo "hi" | jq -rj 'select(.type == "nothing")'
      answer=$(tgpt-stream --provider echo --text "hi")
      [ "$answer" = hi ]
      ```
      """
    let failures = try await DocRun.failures(try DocSources.markdownBlocks(markdown, document: "T.md")[0])
    let summaries = failures.map { $0.prefix { $0 != "\n" } }
    #expect(
      summaries == [
        "T.md:4: `false | cat` exited 1",
        "T.md:5: `tgpt-session show no-such-session` exited 65, wrote an error on stderr",
        #"T.md:6: `tgpt-stream --provider echo "hi" | jq -rj 'select(.type == "nothing")'` showed no answer"#,
      ], "\(failures)")
  }

  /// The extraction finds the examples (a change of fence or layout that hid them would
  /// otherwise pass quietly), every help directive names an example, and the ones not run
  /// are listed with their reasons.
  @Test func theExamplesAreFoundAndTheSkippedOnesListed() async throws {
    var blocks = try Self.markdownBlocks()
    for program in Self.programs { blocks += try await Self.helpBlocks(program) }
    for document in Self.documents + Self.programs.map({ "\($0) --help" }) {
      #expect(blocks.contains { $0.document == document && $0.examples.contains { $0.notRun == nil } }, "\(document)")
    }
    for directive in Self.helpDirectives {
      let named = blocks.contains { block in
        block.document == directive.document && block.examples.contains { $0.command == directive.command }
      }
      #expect(named, "helpDirectives: \(directive.document) has no example `\(directive.command)`")
    }
    let all = blocks.flatMap { block in block.examples.map { (block, $0) } }
    let skipped = all.filter { $0.1.notRun != nil }
    print("doc examples: \(all.count - skipped.count) run, \(skipped.count) not run:")
    for (block, example) in skipped { print("  \(block.place(example)): \(example.command) — \(example.notRun!)") }
  }
}

/// Runs one block in a fresh sandbox and says what went wrong.
enum DocRun {
  /// Blocks running at once. Each starts several programs (a server, pipelines): dozens at
  /// once on two cores starved the other suites' loopback servers for over ten seconds.
  static let slots = DocRunSlots(count: 3)

  static func check(_ block: DocBlock) async throws {
    await slots.take()
    let found: [String]
    do {
      found = try await failures(block)
    } catch {
      await slots.give()
      throw error
    }
    await slots.give()
    for failure in found { Issue.record(Comment(rawValue: failure)) }
  }

  /// One message per example that failed: where it is, the command, what went wrong, and the
  /// end of its stdout and stderr.
  static func failures(_ block: DocBlock) async throws -> [String] {
    guard block.examples.contains(where: { $0.notRun == nil }) else { return [] }
    let fake = try await FakeProviderServer.shared
    let sandbox = try DocSandbox(fakeProvider: fake.url("key=docs;call-offered"))
    defer { sandbox.remove() }
    let script = sandbox.root.appendingPathComponent("examples.sh")
    try sandbox.script(for: block).write(to: script, atomically: false, encoding: .utf8)
    let run = try await Harness.shell("exec bash --noprofile --norc '\(script.path)'", env: sandbox.environment)
    if run.status == 90 || run.status == 91 {
      return ["\(block): the sandbox could not be set up (\(run.status)): \(sandbox.setUpLog)\(run.stderr)"]
    }
    var failures: [String] = []
    for (index, example) in block.examples.enumerated() where example.notRun == nil {
      let (status, stdout, stderr) = sandbox.outcome(index)
      var problems: [String] = []
      if let status {
        if status != 0 { problems.append("exited \(status)") }
        if stderr.contains("error:") { problems.append("wrote an error on stderr") }
        if stdout.isEmpty, !example.isBackground, ShellText.showsAnAnswer(example.code) {
          problems.append("showed no answer")
        }
      } else {
        problems.append(sandbox.current == "\(index)" ? "did not finish" : "did not run")
      }
      if problems.isEmpty { continue }
      failures.append(
        """
        \(block.place(example)): `\(example.command)` \(problems.joined(separator: ", "))
        --- stdout (end):
        \(tail(stdout))
        --- stderr (end):
        \(tail(stderr))
        """)
    }
    return failures
  }

  private static func tail(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).suffix(12).joined(separator: "\n")
  }
}

/// A counting semaphore that waits without holding a thread.
actor DocRunSlots {
  private var free: Int
  private var waiting: [CheckedContinuation<Void, Never>] = []

  init(count: Int) { free = count }

  func take() async {
    if free > 0 {
      free -= 1
      return
    }
    await withCheckedContinuation { waiting.append($0) }
  }

  func give() {
    if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
  }
}

import Foundation

/// A new user's machine in a temporary directory: HOME, TGPT_HOME and XDG directories inside
/// it, the built programs first on PATH, the hosted providers (OpenRouter, OpenAI, Anthropic)
/// pointed at the fake provider by the config file, fake keys, and what the examples read: a
/// git repository with staged and unstaged changes as the working directory (notes, questions,
/// tickets and README.md in it), `~/src/app` with a commit, and a session `work` with one
/// turn, as after a first try, exported to `work.ndjson`. Proxy variables point at a closed
/// port, so anything but loopback fails rather than reaching the internet.
struct DocSandbox {
  let root: URL
  var home: URL { root.appendingPathComponent("home") }
  var work: URL { root.appendingPathComponent("work") }
  /// Each example's stdout, stderr and status, written by the block's script.
  var results: URL { root.appendingPathComponent("results") }
  let environment: [String: String]

  /// The port the documents give `tgpt-ws-bridge serve`. A block that uses it without starting
  /// a server gets one; either way the examples reach it on the port the server picked.
  static let documentedPort = "8000"

  init(fakeProvider baseURL: String) throws {
    root = Harness.scratchDirectory()
    let home = root.appendingPathComponent("home")
    environment = Harness.environment(
      [
        "OPENROUTER_API_KEY": "sk-or-fake-docs", "OPENAI_API_KEY": "sk-fake-docs", "ANTHROPIC_API_KEY": "sk-ant-fake",
        "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "all_proxy": "http://127.0.0.1:9",
        "no_proxy": "127.0.0.1,localhost", "GIT_AUTHOR_NAME": "Docs", "GIT_AUTHOR_EMAIL": "docs@example.invalid",
        "GIT_COMMITTER_NAME": "Docs", "GIT_COMMITTER_EMAIL": "docs@example.invalid", "GIT_CONFIG_NOSYSTEM": "1",
      ], home: home)
    let files = FileManager.default
    for directory in [work, results, home.appendingPathComponent("config/tgpt")] {
      try files.createDirectory(at: directory, withIntermediateDirectories: true)
    }
    let config = ["openrouter", "openai", "anthropic"].map { "[providers.\($0)]\nbase_url = \"\(baseURL)\"\n" }
    try write(
      (config + [Self.profiles(localServer: baseURL)]).joined(separator: "\n"),
      to: home.appendingPathComponent("config/tgpt/config.toml"))
    try write(
      "Meeting notes: ship on Friday, fix the login page first.\n", to: work.appendingPathComponent("notes.txt"))
    try write("# Notes\n\n- ship on Friday\n- fix the login page\n", to: work.appendingPathComponent("notes.md"))
    try write("Why is the sky blue?\nAnd at sunset?\n", to: work.appendingPathComponent("questions.txt"))
    try Data(AttachmentEndToEndTests.png).write(to: work.appendingPathComponent("photo.png"))
    try write(
      #"{"question":"Why is the sky blue?","user":"alice","ticket":"T-1"}"# + "\n"
        + #"{"question":"What is RAID 5?","user":"bob","ticket":"T-2"}"# + "\n",
      to: work.appendingPathComponent("tickets.ndjson"))
    try files.copyItem(
      at: DocSources.root.appendingPathComponent("README.md"), to: work.appendingPathComponent("README.md"))
    // The README's tool file, as a user who saved it has it (and under tools/, for --tools clock).
    let clock = try Self.readmeToolFile()
    try write(clock, to: work.appendingPathComponent("clock.json"))
    try files.createDirectory(at: home.appendingPathComponent("config/tgpt/tools"), withIntermediateDirectories: true)
    try write(clock, to: home.appendingPathComponent("config/tgpt/tools/clock.json"))
  }

  /// The ```json block after "A tool file, `clock.json`:" in the README.
  static func readmeToolFile() throws -> String {
    let readme = try String(contentsOf: DocSources.root.appendingPathComponent("README.md"), encoding: .utf8)
    guard let intro = readme.range(of: "A tool file, `clock.json`:"),
      let open = readme.range(of: "```json\n", range: intro.upperBound..<readme.endIndex),
      let close = readme.range(of: "```", range: open.upperBound..<readme.endIndex)
    else { throw CocoaError(.fileReadCorruptFile) }
    return String(readme[open.upperBound..<close.lowerBound])
  }

  /// The profiles the GUIDE's config file defines, as a user who copied it has them; its
  /// local model server is the fake provider.
  static func profiles(localServer: String) -> String {
    """
    [profiles.fast]
    model = "openai/gpt-4o-mini"

    [profiles.commit]
    model = "anthropic/claude-sonnet-4"
    system = "Write a git commit message for this diff."
    temperature = 0.2

    [profiles.local]
    base_url = "\(localServer)"
    model = "llama3.2"

    """
  }

  private func write(_ text: String, to url: URL) throws { try text.write(to: url, atomically: false, encoding: .utf8) }

  /// What the script does before the examples; a failure here is the sandbox's, not theirs.
  private static let setUp = """
    git init -q . && printf 'hello\\n' >hello.txt && git add hello.txt && git commit -qm 'Add hello' \\
      && printf 'hello, world\\n' >hello.txt && git add hello.txt && printf 'hello, world!\\n' >hello.txt \\
      && git init -q "$HOME/src/app" && git -C "$HOME/src/app" commit -q --allow-empty -m 'Fix the login page' \\
      && tgpt-session -s scratch "a first try" >/dev/null \\
      && tgpt-session -s work "Why is the sky blue?" >/dev/null && tgpt-session export work >work.ndjson
    """

  /// The bash script that runs the examples of `block` in order, each in a `{ }` group so what
  /// it sets (variables, options) stays for the next, its output in files of `results`.
  func script(for block: DocBlock) -> String {
    let port = Self.documentedPort
    let run = block.examples.enumerated().filter { $0.element.notRun == nil }
    let startsServer = run.contains { $0.element.isBackground && $0.element.code.contains("--port \(port)") }
    let usesServer = run.contains { ShellText.mentionsPort($0.element.command, port) }
    var lines = [
      "r=\(quoted(results.path))", "cd \(quoted(work.path)) || exit 90",
      "{ \(Self.setUp)\n} >\"$r/setup.log\" 2>&1 </dev/null || exit 90",
      // A pipeline fails when any of its commands does, so `curl … | jq` cannot fail quietly.
      "set -o pipefail",
    ]
    var jobs: [Int] = []
    if usesServer, !startsServer {
      lines.append(
        """
        tgpt-ws-bridge serve --port 0 >"$r/server.out" 2>"$r/server.err" </dev/null & doc_server=$!
        until [ -s "$r/server.out" ]; do kill -0 $doc_server 2>/dev/null || exit 91; sleep 0.05; done
        doc_port=$(sed -n 's|.*:\\([0-9][0-9]*\\).*|\\1|p' "$r/server.out")
        """)
    }
    for (index, example) in run {
      var command = ShellText.mappingPort(example.command, port, to: "doc_port")
      if example.isBackground { command = command.replacingOccurrences(of: "--port \(port)", with: "--port 0") }
      if example.server { command += " &" }
      lines.append("echo \(index) >\"$r/current\"")
      lines.append("{ \(command)\n} >\"$r/\(index).out\" 2>\"$r/\(index).err\" </dev/null")
      if example.isBackground {
        jobs.append(index)
        lines.append(
          """
          doc_job_\(index)=$!
          until [ -s "$r/\(index).out" ]; do kill -0 $doc_job_\(index) 2>/dev/null || break; sleep 0.05; done
          """)
        if example.code.contains("--port \(port)") {
          lines.append("doc_port=$(sed -n 's|.*:\\([0-9][0-9]*\\).*|\\1|p' \"$r/\(index).out\")")
        }
      } else {
        lines.append("echo $? >\"$r/\(index).status\"")
      }
    }
    lines.append("echo done >\"$r/current\"")
    for index in jobs {
      lines.append("kill $doc_job_\(index) 2>/dev/null; wait $doc_job_\(index); echo $? >\"$r/\(index).status\"")
    }
    if usesServer, !startsServer { lines.append("kill $doc_server; wait $doc_server") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// What example `index` of the block did, read back from `results`.
  func outcome(_ index: Int) -> (status: Int32?, stdout: String, stderr: String) {
    func read(_ name: String) -> String {
      (try? String(contentsOf: results.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }
    let status = Int32(read("\(index).status").trimmingCharacters(in: .whitespacesAndNewlines))
    return (status, read("\(index).out"), read("\(index).err"))
  }

  /// The example that was running when the script ended ("done" when it finished), and the
  /// set-up's log.
  var current: String {
    let text = (try? String(contentsOf: results.appendingPathComponent("current"), encoding: .utf8)) ?? ""
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
  }
  var setUpLog: String {
    (try? String(contentsOf: results.appendingPathComponent("setup.log"), encoding: .utf8)) ?? ""
  }

  func remove() { try? FileManager.default.removeItem(at: root) }

  private func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
}

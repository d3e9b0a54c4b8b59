import Foundation
import TGPTEvents
import Testing

/// tgpt-stream's command line: prompt composition, modes, keys, config, exit codes.
@Suite(.timeLimit(.minutes(10))) struct StreamCommandLineTests {
  @Test func echoProviderPipelineThroughJq() async throws {
    let result = try await Harness.shell("echo hi | tgpt-stream --provider echo | jq -c .")
    #expect(result.status == 0)
    let types = try result.text.split(separator: "\n").map { try Event.decode(String($0)).type }
    #expect(types.first == "start")
    #expect(types.contains("chunk"))
    #expect(types.last == "complete")
  }

  @Test func stdinComesFirstThenABlankLineThenTheWords() async throws {
    let result = try await Harness.run(
      "tgpt-stream", ["--provider", "echo", "summarise", "this"], stdin: "line 1\nline 2\n")
    #expect(result.answer == "line 1\nline 2\n\nsummarise this")
    let noNewline = try await Harness.run("tgpt-stream", ["--provider", "echo", "x"], stdin: "tail")
    #expect(noNewline.answer == "tail\n\nx")
  }

  @Test func aProgramThatExitsWithoutReadingItsInputLeavesTheTestsRunning() async throws {
    // Regression: the harness wrote the rest of stdin into a closed pipe and SIGPIPE killed
    // the whole test process.
    let unread = String(repeating: "x", count: 1 << 20)
    let result = try await Harness.run("tgpt-stream", ["--version"], stdin: unread)
    #expect(result.status == 0)
  }

  @Test func stdinModes() async throws {
    let appended = try await Harness.run(
      "tgpt-stream", ["--provider", "echo", "--stdin", "append", "words"], stdin: "piped")
    #expect(appended.answer == "words\n\npiped")
    let ignored = try await Harness.run(
      "tgpt-stream", ["--provider", "echo", "--stdin", "ignore", "words"], stdin: "piped")
    #expect(ignored.answer == "words")
  }

  @Test func stdinBytesAreKeptExactly() async throws {
    let text = "  spaces\t\ttabs\r\nCRLF\n\n\nblank lines  \n"
    let result = try await Harness.run("tgpt-stream", ["--provider", "echo"], stdin: text)
    #expect(result.answer == text)
  }

  @Test func noPromptIsAUsageError() async throws {
    let result = try await Harness.run("tgpt-stream", ["--provider", "echo"])
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("tgpt-stream: error: no prompt"))
    #expect(result.stdout.isEmpty)
  }

  @Test func unknownFlagsAreUsageErrors() async throws {
    let result = try await Harness.run("tgpt-stream", ["--no-such-flag"])
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("tgpt-stream: error: "))
  }

  @Test func textModeWritesOnlyTheAnswer() async throws {
    let result = try await Harness.run("tgpt-stream", ["--provider", "echo", "--text", "2+2 is 4"])
    #expect(result.status == 0)
    #expect(result.text == "2+2 is 4\n")
  }

  @Test func textModeFailuresGoToStderr() async throws {
    let result = try await Harness.run(
      "tgpt-stream", ["--base-url", "http://127.0.0.1:1/v1", "--retries", "0", "--text", "hi"])
    #expect(result.status == 69)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.hasPrefix("tgpt-stream: error: could not connect"))
  }

  @Test func aMissingKeyExits77NamingTheVariable() async throws {
    let result = try await Harness.run("tgpt-stream", ["hello"])
    #expect(result.status == 77)
    #expect(result.failure?.code == .auth)
    #expect(result.failure?.message.contains("OPENROUTER_API_KEY") == true)
    #expect(result.stderr.hasPrefix("tgpt-stream: error: no API key for openrouter: set OPENROUTER_API_KEY"))
    let anthropic = try await Harness.run("tgpt-stream", ["--provider", "anthropic", "--text", "hello"])
    #expect(anthropic.status == 77)
    #expect(anthropic.stderr.contains("ANTHROPIC_API_KEY"))
  }

  @Test func wholeRequestsFromStdin() async throws {
    let request =
      #"{"messages":[{"role":"user","content":"first"},{"role":"assistant","content":"ok"},{"role":"user","content":"second one"}],"model":"x"}"#
    let result = try await Harness.run("tgpt-stream", ["--provider", "echo", "--request"], stdin: request)
    #expect(result.status == 0)
    #expect(result.answer == "second one")
    let bad = try await Harness.run("tgpt-stream", ["--provider", "echo", "--request"], stdin: "{\"messages\":")
    #expect(bad.status == 65)
    Harness.expectInvariants(bad)
  }

  @Test func theClosedPipeIsAQuietSuccess() async throws {
    let result = try await Harness.shell(
      """
      status=$(mktemp)
      (tgpt-stream --provider echo "$(seq 1 20000 | tr '\\n' ' ')"; echo $? > "$status") | head -c 100 >/dev/null
      cat "$status"; rm -f "$status"
      """)
    #expect(result.text == "0\n")
    #expect(result.stderr.isEmpty)
  }

  @Test func configFileSuppliesModelAndKeyCommand() async throws {
    let home = Harness.scratchDirectory()
    let config = home.appendingPathComponent("config/tgpt")
    try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
    let key = "k\(UInt32.random(in: 0...UInt32.max))"
    let toml = """
      provider = "openrouter"
      model = "from/config"
      api_key_cmd = "echo secret-from-command"
      system = "config system"
      """
    try toml.write(to: config.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
    let fake = try await FakeProviderServer.shared
    let result = try await Harness.run(
      "tgpt-stream", ["--base-url", fake.url("ok;key=\(key)"), "--provider", "openrouter", "hi"],
      env: Harness.environment(home: home))
    #expect(result.status == 0)
    let recorded = try #require(try await fake.requests(key: key).first)
    #expect(recorded["headers"]?["authorization"]?.stringValue == "Bearer secret-from-command")
    #expect(recorded["body"]?["model"]?.stringValue == "from/config")
    #expect(recorded["body"]?["messages"]?.arrayValue?.first?["content"]?.stringValue == "config system")

    let flagWins = try await Harness.run(
      "tgpt-stream", ["--base-url", fake.url("ok;key=\(key)b"), "--provider", "openrouter", "-m", "flag/model", "hi"],
      env: Harness.environment(["TGPT_MODEL": "env/model"], home: home))
    #expect(flagWins.status == 0)
    #expect(try await fake.requests(key: key + "b").first?["body"]?["model"]?.stringValue == "flag/model")

    let envWins = try await Harness.run(
      "tgpt-stream", ["--base-url", fake.url("ok;key=\(key)c"), "--provider", "openrouter", "hi"],
      env: Harness.environment(["TGPT_MODEL": "env/model"], home: home))
    #expect(envWins.status == 0)
    #expect(try await fake.requests(key: key + "c").first?["body"]?["model"]?.stringValue == "env/model")
  }

  @Test func aMalformedConfigFileIsAConfigError() async throws {
    let home = Harness.scratchDirectory()
    let config = home.appendingPathComponent("config/tgpt")
    try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
    try "model = \n".write(to: config.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
    let result = try await Harness.run(
      "tgpt-stream", ["--provider", "echo", "hi"], env: Harness.environment(home: home))
    #expect(result.status == 78)
    #expect(result.failure?.code == .config)
    #expect(result.failure?.message.contains("config.toml") == true)
  }

  @Test func debugLogsGoToStderrWithoutTheKey() async throws {
    let fake = try await FakeProviderServer.shared
    let result = try await Harness.run(
      "tgpt-stream", ["--provider", "openrouter", "--base-url", fake.url("ok"), "--log-level", "debug", "hi"],
      env: Harness.environment(["OPENROUTER_API_KEY": "sk-secret-123"]))
    #expect(result.status == 0)
    #expect(result.stderr.contains("tgpt-stream: debug: request POST \(fake.url("ok"))/chat/completions"))
    #expect(result.stderr.contains("tgpt-stream: debug: response HTTP 200"))
    #expect(!result.stderr.contains("sk-secret-123"))
    #expect(!result.text.contains("sk-secret-123"))
    let quiet = try await Harness.run(
      "tgpt-stream", ["--provider", "openrouter", "--base-url", fake.url("ok"), "hi"],
      env: Harness.environment(["OPENROUTER_API_KEY": "k"]))
    #expect(quiet.stderr.isEmpty, "the default level is warning")
  }

  @Test func aFullDiskIsAnErrorNotASuccess() async throws {
    let result = try await Harness.shell("tgpt-stream --provider echo hello > /dev/full")
    #expect(result.status == 1)
    #expect(result.stderr.contains("tgpt-stream: error: cannot write the output"))
  }

  @Test(arguments: [
    ["--connect-timeout", "inf"], ["--idle-timeout", "0"], ["--timeout", "1e16"], ["--retries", "-1"],
  ])
  func unusableBoundsAreUsageErrors(_ flags: [String]) async throws {
    let result = try await Harness.run("tgpt-stream", ["--provider", "echo"] + flags + ["hi"])
    #expect(result.status == 64)
    #expect(result.stdout.isEmpty)
  }

  @Test func configValuesAreCheckedAndUnknownKeysReported() async throws {
    let home = Harness.scratchDirectory()
    let config = home.appendingPathComponent("config/tgpt")
    try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
    let file = config.appendingPathComponent("config.toml")
    try "idle_timeout = 0\n".write(to: file, atomically: true, encoding: .utf8)
    let zero = try await Harness.run("tgpt-stream", ["--provider", "echo", "hi"], env: Harness.environment(home: home))
    #expect(zero.status == 78)
    #expect(zero.stderr.contains("idle_timeout must be a number"))
    try "retries = \"3\"\n".write(to: file, atomically: true, encoding: .utf8)
    #expect(
      try await Harness.run("tgpt-stream", ["--provider", "echo", "hi"], env: Harness.environment(home: home)).status
        == 78)
    try "modle = \"x\"\n[providers.openai]\nbase = 1\n".write(to: file, atomically: true, encoding: .utf8)
    let unknown = try await Harness.run(
      "tgpt-stream", ["--provider", "echo", "hi"], env: Harness.environment(home: home))
    #expect(unknown.status == 0)
    #expect(unknown.stderr.contains("unknown key 'modle'"))
    #expect(unknown.stderr.contains("unknown key 'providers.openai.base'"))
  }

  @Test func theKeyCommandsFirstLineIsTheKey() async throws {
    let key = "k\(UInt32.random(in: 0...UInt32.max))"
    let fake = try await FakeProviderServer.shared
    let result = try await Harness.run(
      "tgpt-stream",
      [
        "--provider", "openrouter", "--base-url", fake.url("ok;key=\(key)"), "--api-key-cmd",
        "printf 'sk-1\\nlogin: me\\n'", "hi",
      ],
      env: Harness.environment(["OPENROUTER_API_KEY": "from-env"]))
    #expect(result.status == 0)
    #expect(try await fake.requests(key: key).first?["headers"]?["authorization"]?.stringValue == "Bearer sk-1")
  }

  @Test func aRequestOfTheWrongShapeIsBadInput() async throws {
    let result = try await Harness.run("tgpt-stream", ["--provider", "echo", "--request"], stdin: #"{"foo":1}"#)
    #expect(result.status == 65)
    #expect(result.failure?.code == .badInput)
  }

  @Test func versionIsQuickToAsk() async throws {
    let result = try await Harness.run("tgpt-stream", ["--version"])
    #expect(result.status == 0)
    #expect(result.text == "tgpt-stream \(ToolkitVersion.string)\n")
  }
}

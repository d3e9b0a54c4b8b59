import Foundation
import TGPTEvents
import Testing

/// Defaults set once and named profiles, as llm users reach for them (issue 13): the config
/// file is a temporary one named by TGPT_CONFIG, edited by `tgpt-session set --default`.
@Suite(.timeLimit(.minutes(10))) struct ConfigEndToEndTests {
  static var fake: FakeProviderServer {
    get async throws { try await FakeProviderServer.shared }
  }

  /// An environment whose config file is `config/tgpt.toml` in a fresh home (not created).
  static func environment(_ extra: [String: String] = [:]) -> (env: [String: String], config: URL) {
    let home = Harness.scratchDirectory()
    let config = home.appendingPathComponent("elsewhere/tgpt.toml")
    return (Harness.environment(["TGPT_CONFIG": config.path].merging(extra) { $1 }, home: home), config)
  }

  static func sentBody(_ key: String) async throws -> JSON {
    try #require(try await fake.requests(key: key).last?["body"])
  }

  @Test func aDefaultModelSetOnceIsUsedByStreamAndNewSessions() async throws {
    let (env, config) = Self.environment()
    let set = try await Harness.run("tgpt-session", ["set", "--default", "--model", "fake/default"], env: env)
    #expect(set.status == 0, "\(set.stderr)")
    #expect(set.stderr == "tgpt-session: \(config.path): model = \"fake/default\"\n")
    #expect(try String(contentsOf: config, encoding: .utf8) == "model = \"fake/default\"\n")

    let key = StreamEndToEndTests.key()
    let base = try await Self.fake.url("key=\(key)")
    let stream = try await Harness.run("tgpt-stream", ["--provider", "openrouter", "--base-url", base, "hi"], env: env)
    #expect(stream.status == 0, "\(stream.stderr)")
    #expect(try await Self.sentBody(key)["model"]?.stringValue == "fake/default")
    let turn = try await Harness.run(
      "tgpt-session", ["--provider", "openrouter", "--base-url", base, "-s", "new", "hi"], env: env)
    #expect(turn.status == 0, "\(turn.stderr)")
    #expect(try await Self.sentBody(key)["model"]?.stringValue == "fake/default")
  }

  @Test func setDefaultKeepsTheRestOfTheFileByteForByte() async throws {
    let (env, config) = Self.environment()
    let original = """
      # tgpt
      model = "old/model"   # my favourite
      system = \"\"\"
      Be brief.\"\"\"

      [providers.compatible]
      model = "llama3.2"   # stays

      """
    try FileManager.default.createDirectory(
      at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
    try original.write(to: config, atomically: true, encoding: .utf8)
    let set = try await Harness.run(
      "tgpt-session", ["set", "--default", "--model", "new/model", "--system", ""], env: env)
    #expect(set.status == 0, "\(set.stderr)")
    #expect(
      try String(contentsOf: config, encoding: .utf8)
        == "# tgpt\nmodel = \"new/model\"   # my favourite\n\n[providers.compatible]\nmodel = \"llama3.2\"   # stays\n")

    try "model = \n".write(to: config, atomically: true, encoding: .utf8)
    let broken = try await Harness.run("tgpt-session", ["set", "--default", "--model", "x"], env: env)
    #expect(broken.status == 78)
    #expect(broken.stderr.contains(config.path))
    #expect(try String(contentsOf: config, encoding: .utf8) == "model = \n", "a file it cannot read is left alone")
    #expect(try await Harness.run("tgpt-session", ["set", "--default", "work", "--model", "x"], env: env).status == 64)
    #expect(try await Harness.run("tgpt-session", ["set", "--model", "x"], env: env).status == 64)
  }

  @Test func setDefaultWritesTheModelWhereItIsReadAndNamesWhatWinsOverIt() async throws {
    let (env, config) = Self.environment()
    let original =
      "provider = \"openai\"\nmodel = \"top\"\n\n[providers.openai]\nmodel = \"old\"\n\n[profiles.p]\nmodel = \"pm\"\n"
    try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
    try original.write(to: config, atomically: true, encoding: .utf8)
    let set = try await Harness.run("tgpt-session", ["set", "--default", "--model", "new"], env: env)
    #expect(set.status == 0)
    #expect(
      set.stderr == "tgpt-session: \(config.path): [providers.openai] model = \"new\"\n", "no warning: it applies")
    #expect(try String(contentsOf: config, encoding: .utf8) == original.replacingOccurrences(of: "old", with: "new"))
    let key = StreamEndToEndTests.key()
    let base = try await Self.fake.url("key=\(key)")
    let stream = try await Harness.run("tgpt-stream", ["--provider", "openai", "--base-url", base, "hi"], env: env)
    #expect(stream.status == 0, "\(stream.stderr)")
    #expect(try await Self.sentBody(key)["model"]?.stringValue == "new")

    var shadowed = env
    shadowed.merge(["TGPT_MODEL": "env/model", "TGPT_PROVIDER": "anthropic"]) { $1 }
    let ignored = try await Harness.run("tgpt-session", ["set", "--default", "--model", "newer"], env: shadowed)
    #expect(ignored.status == 0)
    #expect(
      ignored.stderr.contains(
        "warning: TGPT_PROVIDER=anthropic in the environment wins over the config file: runs use anthropic, so the default model, which is for openai, is not used"
      ) && ignored.stderr.contains("warning: TGPT_MODEL=env/model in the environment wins over the default model"),
      "\(ignored.stderr)")
    shadowed = env
    shadowed["TGPT_PROFILE"] = "p"
    let profiled = try await Harness.run("tgpt-session", ["set", "--default", "--model", "newest"], env: shadowed)
    #expect(profiled.status == 0)
    #expect(
      profiled.stderr.contains("warning: TGPT_PROFILE=p ([profiles.p] in \(config.path)) wins over the default model"),
      "\(profiled.stderr)")

    // A directory, not /dev/null: were the check broken, a test run as root would replace it.
    let folder = config.deletingLastPathComponent().path
    let directory = try await Harness.run(
      "tgpt-session", ["set", "--default", "--model", "x"], env: env.merging(["TGPT_CONFIG": folder]) { $1 })
    #expect(directory.status == 78)
    #expect(directory.stderr.contains("cannot write \(folder): it is not a regular file"), "\(directory.stderr)")
  }

  static func profileConfig(base: String) -> String {
    """
    model = "top/model"

    [profiles.fake]
    provider = "compatible"
    base_url = "\(base)"
    model = "profile/model"
    system = "profile system"
    temperature = 0.3

    [profiles.other]
    system = "other system"
    """
  }

  @Test func aProfileChoosesProviderModelAndSystemAboveTheEnvironment() async throws {
    let key = StreamEndToEndTests.key()
    let (env, config) = Self.environment(["TGPT_MODEL": "env/model", "TGPT_PROVIDER": "echo"])
    try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Self.profileConfig(base: try await Self.fake.url("key=\(key)")).write(
      to: config, atomically: true, encoding: .utf8)

    let chosen = try await Harness.run("tgpt-stream", ["--profile", "fake", "hi"], env: env)
    #expect(chosen.status == 0, "\(chosen.stderr)")
    let body = try await Self.sentBody(key)
    #expect(body["model"]?.stringValue == "profile/model", "the profile wins over TGPT_MODEL")
    #expect(body["temperature"]?.doubleValue == 0.3)
    #expect(body["messages"]?.arrayValue?.first?["content"]?.stringValue == "profile system")

    var byVariable = env
    byVariable["TGPT_PROFILE"] = "fake"
    let flags = try await Harness.run(
      "tgpt-stream", ["-m", "flag/model", "--system", "flag system", "hi"], env: byVariable)
    #expect(flags.status == 0, "\(flags.stderr)")
    let flagBody = try await Self.sentBody(key)
    #expect(flagBody["model"]?.stringValue == "flag/model", "flags win over the profile")
    #expect(flagBody["messages"]?.arrayValue?.first?["content"]?.stringValue == "flag system")

    let unknown = try await Harness.run("tgpt-stream", ["--profile", "nope", "hi"], env: env)
    #expect(unknown.status == 78)
    #expect(unknown.failure?.code == .config)
    #expect(unknown.stderr.contains("unknown profile 'nope'") && unknown.stderr.contains("known: fake, other"))
  }

  @Test func sessionsTakeTheProfileOverWhatTheyRemember() async throws {
    let key = StreamEndToEndTests.key()
    let (env, config) = Self.environment()
    try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Self.profileConfig(base: try await Self.fake.url("key=\(key)")).write(
      to: config, atomically: true, encoding: .utf8)

    #expect(try await Harness.run("tgpt-session", ["set", "s", "--model", "remembered/model"], env: env).status == 0)
    let turn = try await Harness.run("tgpt-session", ["--profile", "fake", "-s", "s", "hi"], env: env)
    #expect(turn.status == 0, "\(turn.stderr)")
    let body = try await Self.sentBody(key)
    #expect(body["model"]?.stringValue == "profile/model")
    #expect(body["messages"]?.arrayValue?.first?["content"]?.stringValue == "profile system")

    let served = try await Harness.run(
      "tgpt-session", ["serve", "--profile", "fake"], stdin: #"{"message":"hello","session_id":"t","id":"1"}"# + "\n",
      env: env)
    #expect(served.status == 0, "\(served.stderr)")
    Harness.expectInvariants(served, answer: "hello")
    #expect(try await Self.sentBody(key)["model"]?.stringValue == "profile/model")

    let unknown = try await Harness.run("tgpt-session", ["serve", "--profile", "nope"], stdin: "", env: env)
    #expect(unknown.status == 78)
    #expect(unknown.stderr.contains("known: fake, other"))
  }

  @Test func sessionTextEndsItsLineAndExactDoesNot() async throws {
    let (env, _) = Self.environment()
    let text = try await Harness.run("tgpt-session", ["--provider", "echo", "-s", "a", "--text", "a b"], env: env)
    #expect(text.text == "a b\n")
    let exact = try await Harness.run("tgpt-session", ["--provider", "echo", "-s", "a", "--exact", "a b"], env: env)
    #expect(exact.text == "a b")
  }
}

import Foundation
import TGPTEvents
import Testing

/// What a new user tries first with tgpt-stream (issue 13): `help`, `-s`, `--text` into a file,
/// a base URL without `/v1`, `--models`.
@Suite(.timeLimit(.minutes(10))) struct StreamFirstStepsTests {
  static var fake: FakeProviderServer {
    get async throws { try await FakeProviderServer.shared }
  }

  static func key() -> String { "k\(UInt32.random(in: 0...UInt32.max))" }

  @Test func helpAloneIsPrintedNotSent() async throws {
    // No key in the environment: sent as a prompt, `help` would exit 77.
    let help = try await Harness.run("tgpt-stream", ["help"])
    #expect(help.status == 0, "\(help.stderr)")
    #expect(help.text.contains("USAGE: tgpt-stream"))
    #expect(help.text.contains("--system"))
    #expect(help.stderr.isEmpty)
    #expect(try await Harness.run("tgpt-stream", ["--provider", "echo", "help"]).text.contains("USAGE:"))

    let sent = try await Harness.run("tgpt-stream", ["--provider", "echo", "--", "help"])
    #expect(sent.status == 0)
    #expect(sent.answer == "help")
    let sentence = try await Harness.run("tgpt-stream", ["--provider", "echo", "help me write a poem"])
    #expect(sentence.answer == "help me write a poem")
    let words = try await Harness.run("tgpt-stream", ["--provider", "echo", "help", "me"])
    #expect(words.answer == "help me")
  }

  @Test func dashSIsTheSessionFlagNotTheSystemPrompt() async throws {
    for arguments in [["-s", "work", "hi"], ["-s"], ["hi", "-s", "be brief"]] {
      let result = try await Harness.run("tgpt-stream", ["--provider", "echo"] + arguments)
      #expect(result.status == 64, "\(arguments)")
      #expect(result.stdout.isEmpty)
      #expect(result.stderr.hasPrefix("tgpt-stream: error: -s is the session flag of tgpt-session"))
      #expect(result.stderr.contains("the system prompt is --system"))
    }
    let key = Self.key()
    let fake = try await Self.fake
    let system = try await Harness.run(
      "tgpt-stream", ["--base-url", fake.url("key=\(key)"), "--system", "be brief", "hi"])
    #expect(system.status == 0)
    let messages = try #require(try await fake.requests(key: key).first?["body"]?["messages"]?.arrayValue)
    #expect(messages.first?["role"]?.stringValue == "system")
    #expect(messages.first?["content"]?.stringValue == "be brief")
  }

  @Test func textEndsWithOneNewlineSoAppendedAnswersStayApart() async throws {
    let plain = try await Harness.run("tgpt-stream", ["--provider", "echo", "--text", "a b"])
    #expect(plain.status == 0)
    #expect(plain.text == "a b\n")
    let endsWithOne = try await Harness.run("tgpt-stream", ["--provider", "echo", "--text"], stdin: "line\n")
    #expect(endsWithOne.text == "line\n", "no second newline")

    // The guide's cron recipe, twice.
    let cron = try await Harness.shell(
      """
      file=$(mktemp)
      tgpt-stream --provider echo --text "Write a haiku about Mondays." >> "$file"
      tgpt-stream --provider echo --text "and Tuesdays" >> "$file"
      cat "$file"; rm -f "$file"
      """)
    #expect(cron.text == "Write a haiku about Mondays.\nand Tuesdays\n")
  }

  @Test func exactWritesTheAnswerByteForByte() async throws {
    for flags in [["--text", "--exact"], ["--exact"]] {
      let result = try await Harness.run("tgpt-stream", ["--provider", "echo"] + flags + ["a b"])
      #expect(result.status == 0)
      #expect(result.text == "a b", "\(flags)")
    }
    let withNewline = try await Harness.run("tgpt-stream", ["--provider", "echo", "--exact"], stdin: "x\n\n")
    #expect(withNewline.text == "x\n\n")
  }

  @Test func anEmptyAnswerWritesNothingAndAPartialOneEndsItsLine() async throws {
    let fake = try await Self.fake
    let empty = try await Harness.run("tgpt-stream", ["--base-url", fake.url("text="), "--text", "hi"])
    #expect(empty.status == 0)
    #expect(empty.stdout.isEmpty)

    let cut = try await Harness.run(
      "tgpt-stream", ["--base-url", fake.url("drop-after=2"), "--retries", "0", "--text", "one two three four"])
    #expect(cut.status == 69)
    #expect(cut.text == "one two \n")
    #expect(cut.stderr.hasPrefix("tgpt-stream: error: "))
  }

  @Test func aBaseURLWithoutV1IsNamedWithTheFix() async throws {
    let fake = try await Self.fake
    for base in [fake.baseURL, fake.baseURL + "/"] {
      let result = try await Harness.run("tgpt-stream", ["--base-url", base, "hi"])
      #expect(result.status == 65)
      let message = try #require(result.failure?.message)
      #expect(message.contains("POST \(fake.baseURL)/chat/completions"))
      #expect(message.contains("try \(fake.baseURL)/v1"))
      #expect(result.stderr.contains("try \(fake.baseURL)/v1"))
    }
    // A 404 under /v1 (an unknown model) names the URL, and suggests nothing.
    let model = try await Harness.run("tgpt-stream", ["--base-url", fake.url("status=404"), "--text", "hi"])
    #expect(model.status == 65)
    #expect(model.stderr.contains("(POST \(fake.url("status=404"))/chat/completions)"))
    #expect(!model.stderr.contains("try "))
  }

  @Test func modelsListsTheProvidersModelsInItsOrder() async throws {
    let fake = try await Self.fake
    let key = Self.key()
    let ids = try await Harness.run(
      "tgpt-stream", ["--models", "--base-url", fake.url("key=\(key)")],
      env: Harness.environment(["TGPT_API_KEY": "sk-c"]))
    #expect(ids.status == 0, "\(ids.stderr)")
    #expect(ids.text == "fake/model-1\nfake/big-model\nanthropic/claude-sonnet-4\n")
    let recorded = try #require(try await fake.requests(key: key).first)
    #expect(recorded["path"]?.stringValue == "/key=\(key)/v1/models")
    #expect(recorded["headers"]?["authorization"]?.stringValue == "Bearer sk-c")

    let json = try await Harness.run("tgpt-stream", ["--models", "--json", "--base-url", fake.url("ok")])
    #expect(json.status == 0)
    let objects = try json.text.split(separator: "\n").map { try JSON.parse(String($0)) }
    #expect(objects.map { $0["id"]?.stringValue } == ["fake/model-1", "fake/big-model", "anthropic/claude-sonnet-4"])
    #expect(objects.allSatisfy { $0["owned_by"]?.stringValue == "fake" }, "the provider's objects, whole")

    let echo = try await Harness.run("tgpt-stream", ["--models", "--provider", "echo"])
    #expect(echo.text == "echo\n")
  }

  @Test func anthropicModelsAreReadPageByPage() async throws {
    let fake = try await Self.fake
    let key = Self.key()
    let result = try await Harness.run(
      "tgpt-stream", ["--models", "--provider", "anthropic", "--base-url", fake.url("key=\(key)")],
      env: Harness.environment(["ANTHROPIC_API_KEY": "sk-ant"]))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.text == "fake/model-1\nfake/big-model\nanthropic/claude-sonnet-4\n")
    let requests = try await fake.requests(key: key)
    #expect(requests.count == 2)
    #expect(requests.allSatisfy { $0["headers"]?["x-api-key"]?.stringValue == "sk-ant" })
    #expect(requests.last?["path"]?.stringValue?.hasSuffix("after_id=fake%2Fbig-model") == true)
  }

  @Test func modelsFailLikeARequest() async throws {
    let fake = try await Self.fake
    let refused = try await Harness.run("tgpt-stream", ["--models", "--base-url", fake.url("status=401")])
    #expect(refused.status == 77)
    #expect(refused.stdout.isEmpty)
    #expect(refused.stderr.hasPrefix("tgpt-stream: error: HTTP 401"))
    let noKey = try await Harness.run("tgpt-stream", ["--models", "--provider", "openai"])
    #expect(noKey.status == 77)
    #expect(noKey.stderr.contains("OPENAI_API_KEY"))
    let unreachable = try await Harness.run("tgpt-stream", ["--models", "--base-url", "http://127.0.0.1:1/v1"])
    #expect(unreachable.status == 69)
    let withWords = try await Harness.run("tgpt-stream", ["--models", "--provider", "echo", "hi"])
    #expect(withWords.status == 64)
    let jsonAlone = try await Harness.run("tgpt-stream", ["--json", "--provider", "echo", "hi"])
    #expect(jsonAlone.status == 64)
  }
}

import TGPTEvents
import TGPTProviders
import Testing

@testable import TGPTProviderOptions

@Suite struct TOMLReaderTests {
  @Test func readsTheConfigFileShapes() throws {
    let text = #"""
      # tgpt config
      provider = "openrouter"   # the default
      model = 'openai/gpt-4o-mini'
      temperature = 0.7
      retries = 5
      big = 1_000
      hex = 0xff
      enabled = true
      stop = ["\n\n", 'END', ]
      system = """
      Answer briefly.
      Use "quotes" freely."""
      literal = '''C:\path\no\escape'''
      inline = { a = 1, b.c = "x" }
      "quoted key" = "v"

      [providers.compatible]
      base_url = "http://127.0.0.1:11434/v1"
      [providers."open ai"]
      api_key_cmd = "pass show \"k\""
      """#
    let table = try TOMLReader.parse(text)
    #expect(table["provider"] == "openrouter")
    #expect(table["model"] == "openai/gpt-4o-mini")
    #expect(table["temperature"]?.doubleValue == 0.7)
    #expect(table["retries"] == 5)
    #expect(table["big"] == 1000)
    #expect(table["hex"] == 255)
    #expect(table["enabled"] == true)
    #expect(table["stop"] == ["\n\n", "END"])
    #expect(table["system"] == "Answer briefly.\nUse \"quotes\" freely.")
    #expect(table["literal"] == #"C:\path\no\escape"#)
    #expect(table["inline"] == ["a": 1, "b": ["c": "x"]])
    #expect(table["quoted key"] == "v")
    #expect(table["providers"]?["compatible"]?["base_url"] == "http://127.0.0.1:11434/v1")
    #expect(table["providers"]?["open ai"]?["api_key_cmd"] == "pass show \"k\"")
  }

  @Test func escapesAndLineContinuation() throws {
    let table = try TOMLReader.parse("a = \"tab\\there \\u00e9 \\U0001F600\"\nb = \"\"\"one \\\n    two\"\"\"\n")
    #expect(table["a"] == "tab\there é 😀")
    #expect(table["b"] == "one two")
  }

  @Test(arguments: [
    ("model = \n", 1), ("a = 1\nb = unquoted\n", 2), ("a = 1\na = 2\n", 2), ("[[servers]]\n", 1),
    ("when = 1979-05-27\n", 1), ("a = \"open\n", 1), ("a = [1, 2\n", 2), ("a = 1 b = 2\n", 1),
  ])
  func rejectsWhatItCannotReadWithTheLine(_ text: String, _ line: Int) {
    do {
      _ = try TOMLReader.parse(text)
      Issue.record("expected a failure for \(text.debugDescription)")
    } catch {
      #expect(error.line == line, "\(error)")
    }
  }

  /// Found by fuzz-toml: 24 KB of `[` ran the reader out of stack (a crash, exit 139).
  @Test func nestingAndDottedKeysHaveALimitThatIsAnErrorNotACrash() throws {
    let deep = TOMLReader.maxDepth
    for (open, empty, close) in [("[", "[]", "]"), ("{a=", "{}", "}")] {
      let fits = String(repeating: open, count: deep - 1) + empty + String(repeating: close, count: deep - 1)
      _ = try TOMLReader.parse("x = \(fits)\n")
      let tooDeep = "x = " + String(repeating: open, count: 20_000) + "\n"
      #expect(throws: TOMLReader.Failure.self) { try TOMLReader.parse(tooDeep) }
    }
    _ = try TOMLReader.parse(Array(repeating: "k", count: deep).joined(separator: ".") + " = 1\n")
    let longKey = Array(repeating: "k", count: 20_000).joined(separator: ".") + " = 1\n"
    #expect(throws: TOMLReader.Failure.self) { try TOMLReader.parse(longKey) }
  }

  @Test func sectionsApplyTopLevelValuesOnlyToTheDefaultProvider() {
    var config = ConfigFile()
    config.provider = "openrouter"
    config.defaults.model = "top/model"
    config.providers["anthropic"] = .init(model: "claude-x")
    #expect(config.section(for: .openrouter).model == "top/model")
    #expect(config.section(for: .anthropic).model == "claude-x")
    #expect(config.section(for: .openai).model == nil)
    // The provider's name in any case, as the resolver reads it.
    config.provider = "OpenAI"
    #expect(config.defaultProvider == .openai)
    #expect(config.section(for: .openai).model == "top/model")
    #expect(config.section(for: .openrouter).model == nil)
  }
}

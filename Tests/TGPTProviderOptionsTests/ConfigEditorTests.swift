import Foundation
import TGPTEvents
import TGPTProviders
import Testing

@testable import TGPTProviderOptions

@Suite struct ConfigEditorTests {
  static let sample = #"""
    # my tgpt config
    provider = "openrouter"   # the default
    system = """
    Be brief.
    [not a table]"""
    model = 'old/model'  # favourite

    # local models
    [providers.compatible]
    base_url = "http://127.0.0.1:11434/v1"
    model = "llama3.2"

    """#

  @Test func anExistingKeyIsReplacedWhereItStands() throws {
    let edited = try ConfigEditor.setting("model", to: "new/model", in: Self.sample)
    #expect(edited == Self.sample.replacingFirst("model = 'old/model'", with: "model = \"new/model\""))
  }

  @Test func removingTakesTheWholeStatementAlsoOverSeveralLines() throws {
    let edited = try ConfigEditor.setting("system", to: nil, in: Self.sample)
    #expect(edited == Self.sample.replacingFirst("system = \"\"\"\nBe brief.\n[not a table]\"\"\"\n", with: ""))
    #expect(try TOMLReader.parse(edited)["system"] == nil)
    #expect(try ConfigEditor.setting("max_tokens", to: nil, in: Self.sample) == Self.sample)
  }

  @Test func aNewKeyGoesAfterTheLastTopLevelOneNotIntoATable() throws {
    let edited = try ConfigEditor.setting("api_key_cmd", to: "pass show or", in: Self.sample)
    #expect(
      edited
        == Self.sample.replacingFirst(
          "# favourite\n", with: "# favourite\napi_key_cmd = \"pass show or\"\n"))
    let table = try TOMLReader.parse(edited)
    #expect(table["api_key_cmd"] == "pass show or")
    #expect(table["providers"]?["compatible"]?["api_key_cmd"] == nil)
  }

  @Test func withoutTopLevelKeysANewOneGoesAboveTheFirstTableAndItsComment() throws {
    let text = "# tgpt\n\n# local models\n[providers.compatible]\nmodel = \"llama3.2\"\n"
    let edited = try ConfigEditor.setting("model", to: "m", in: text)
    #expect(edited == "# tgpt\n\nmodel = \"m\"\n\n# local models\n[providers.compatible]\nmodel = \"llama3.2\"\n")
    #expect(try TOMLReader.parse(edited)["providers"]?["compatible"]?["model"] == "llama3.2")
  }

  @Test(arguments: [
    ("", "model = \"m\"\n"), ("# only a comment", "# only a comment\nmodel = \"m\"\n"),
    ("provider = \"openai\"", "provider = \"openai\"\nmodel = \"m\"\n"),
    ("model = \"a\"", "model = \"m\""),
  ])
  func filesWithoutAFinalNewline(_ text: String, _ expected: String) throws {
    #expect(try ConfigEditor.setting("model", to: "m", in: text) == expected)
  }

  @Test func valuesAreQuotedSoTheyReadBackExactly() throws {
    let value = "say \"hi\"\\\n\tthen\u{1}"
    let edited = try ConfigEditor.setting("system", to: value, in: "")
    #expect(try TOMLReader.parse(edited)["system"]?.stringValue == value)
  }

  @Test func newLinesInACRLFFileEndInCRLF() throws {
    let text = "provider = \"openai\"\r\n\r\n[providers.openai]\r\nmodel = \"x\"\r\n"
    #expect(
      try ConfigEditor.setting("system", to: "s", in: text)
        == "provider = \"openai\"\r\nsystem = \"s\"\r\n\r\n[providers.openai]\r\nmodel = \"x\"\r\n")
    #expect(
      try ConfigEditor.setting("model", to: "m", in: "# c\r\n[t]\r\n") == "model = \"m\"\r\n\r\n# c\r\n[t]\r\n")
    #expect(try ConfigEditor.setting("model", to: "m", in: "# a\r\n# b") == "# a\r\n# b\r\nmodel = \"m\"\r\n")
    #expect(try ConfigEditor.setting("system", to: nil, in: "system = 'x'\r\nretries = 2\r\n") == "retries = 2\r\n")
  }

  @Test func aKeyInATableIsChangedWhereItStandsAndNeverAdded() throws {
    let table = ["providers", "compatible"]
    let edited = try ConfigEditor.setting("model", inTable: table, to: "qwen", in: Self.sample)
    #expect(edited == Self.sample.replacingFirst("model = \"llama3.2\"", with: "model = \"qwen\""))
    #expect(try TOMLReader.parse(try #require(edited))["model"] == "old/model")
    let removed = try ConfigEditor.setting("model", inTable: table, to: nil, in: Self.sample)
    #expect(removed == Self.sample.replacingFirst("model = \"llama3.2\"\n", with: ""))
    #expect(try ConfigEditor.setting("model", inTable: ["providers", "openai"], to: "m", in: Self.sample) == nil)
    #expect(try ConfigEditor.setting("base_url", inTable: ["providers"], to: "m", in: Self.sample) == nil)
    // Later tables, quoted names, comments after the header.
    let text = "[a]\nmodel = 1\n[providers.\"openai\"]   # mine\nmodel = 'o'   # kept\n[b]\nmodel = 2\n"
    #expect(
      try ConfigEditor.setting("model", inTable: ["providers", "openai"], to: "n", in: text)
        == "[a]\nmodel = 1\n[providers.\"openai\"]   # mine\nmodel = \"n\"   # kept\n[b]\nmodel = 2\n")
    // Forms other than a statement under the header are not edited.
    #expect(
      try ConfigEditor.setting("model", inTable: table, to: "m", in: "[providers]\ncompatible.model = 'x'\n") == nil)
  }

  @Test func textThatIsNotTOMLIsLeftAlone() {
    #expect(throws: ProviderError.self) { try ConfigEditor.setting("model", to: "m", in: "model = \n") }
  }
}

extension String {
  fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
    guard let range = range(of: target) else {
      Issue.record("'\(target)' is not in the text")
      return self
    }
    return replacingCharacters(in: range, with: replacement)
  }
}

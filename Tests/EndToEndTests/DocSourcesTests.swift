import TGPTEvents
import Testing

/// How examples are read out of Markdown and help texts (`DocSources`, `ShellText`), so that
/// `DocExampleTests` runs what a user would type, and skips only what a marker names.
@Suite struct DocSourcesTests {
  @Test func linesAreJoinedWhereTheShellWouldReadOn() {
    let lines = [
      "# a comment line", "$ tgpt-stream \"hi\"   # the user's first try", "", "jq -c . a.ndjson \\",
      "  | tgpt-session serve", "echo 'one", "two' | cat", "true &&", "  false ||", "  true",
      "0 7 * * 1-5 tgpt-stream --text \"x\" >> ~/out.txt",
    ].enumerated().map { (number: $0.offset + 1, text: $0.element) }
    let examples = ShellText.examples(lines) { _ in nil }
    #expect(examples.map(\.line) == [2, 4, 6, 8, 11])
    #expect(
      examples.map(\.command) == [
        "tgpt-stream \"hi\"   # the user's first try", "jq -c . a.ndjson \\\n  | tgpt-session serve",
        "echo 'one\ntwo' | cat", "true &&\n  false ||\n  true", "tgpt-stream --text \"x\" >> ~/out.txt",
      ])
    #expect(examples[0].code == "tgpt-stream \"hi\"   ")
  }

  @Test func backgroundAndRedirectionAreSeenOutsideQuotesAndComments() {
    #expect(DocExample(line: 1, command: "tgpt-ws-bridge serve --port 8000 &   # a server").isBackground)
    #expect(!DocExample(line: 1, command: "a && b").isBackground)
    #expect(!DocExample(line: 1, command: "echo 'a &'").isBackground)
    #expect(ShellText.redirectsStdout("tgpt-stream x >> notes.md"))
    #expect(!ShellText.redirectsStdout("tgpt-stream x 2>>err.txt | jq '.a > 1'"))
    #expect(ShellText.showsAnAnswer("echo hi | tgpt-session -s work | tgpt-render"))
    #expect(ShellText.showsAnAnswer("curl -s -X POST localhost:8000/chat/work -d '{}' | jq .content"))
    #expect(!ShellText.showsAnAnswer("tgpt-session list --json | jq -r .id"))
    #expect(!ShellText.showsAnAnswer("answer=$(tgpt-stream --text \"hi\")"))
    #expect(!ShellText.showsAnAnswer("tgpt-stream \"hi\" > run.ndjson"))
  }

  @Test func theDocumentedPortBecomesTheServersPort() {
    #expect(
      ShellText.mappingPort("curl localhost:8000/chat/a -d '{\"u\":\"ws://h:8000\"}'", "8000", to: "p")
        == "curl localhost:${p}/chat/a -d '{\"u\":\"ws://h:'\"${p}\"'\"}'")
    #expect(ShellText.mappingPort("curl localhost:80001/x", "8000", to: "p") == "curl localhost:80001/x")
    #expect(!ShellText.mentionsPort("tgpt-stream --base-url http://127.0.0.1:11434/v1", "8000"))
  }

  @Test func markersSkipTheBlockOrTheExamplesTheyName() throws {
    let text = """
      <!-- not run: needs a terminal -->
      ```sh
      tgpt-session chat
      ```
      <!-- not run `tgpt-stream --base-url`: needs a model server -->
      ```sh
      tgpt-stream "hi"
      tgpt-stream --base-url http://127.0.0.1:11434/v1 "hi"
      ```
      ```toml
      model = "x"
      ```
      """
    let blocks = try DocSources.markdownBlocks(text, document: "T.md")
    #expect(blocks.map(\.description) == ["T.md:2", "T.md:6"])
    #expect(blocks[0].examples.map(\.notRun) == ["needs a terminal"])
    #expect(blocks[1].examples.map(\.notRun) == [nil, "needs a model server"])
    #expect(blocks[1].place(blocks[1].examples[1]) == "T.md:8")
  }

  @Test(arguments: [
    "<!-- not run -->\n```sh\nls\n```",
    "<!-- not run:  -->\n```sh\nls\n```",
    "<!-- not run `rm`: no rm here -->\n```sh\nls\n```",
    "<!-- not run: why -->\n```toml\na = 1\n```",
    "<!-- not run: why -->\n\n```sh\nls\n```",
  ]) func aMarkerThatSaysNothingOrNamesNothingFails(_ text: String) {
    #expect(throws: DocSources.Failure.self) { try DocSources.markdownBlocks(text, document: "T.md") }
  }

  @Test func helpExamplesComeFromEveryCommandsDiscussion() throws {
    let dump = try JSON.parse(
      #"""
      {"command": {"commandName": "tool", "discussion": "Text.\n\nExamples:\n  tool a\n  tool serve --port 8000\n",
       "subcommands": [{"commandName": "sub", "discussion": "Example:\n  tool sub x | \\\n    jq .\nAfter."},
                       {"commandName": "quiet", "discussion": "No examples."}]}}
      """#)
    let directives = [
      HelpDirective(document: "tool --help", command: "tool serve --port 8000", server: true),
      HelpDirective(document: "tool sub --help", command: "tool sub x | \\\n  jq .", notRun: "why"),
    ]
    let blocks = DocSources.help("tool", dump: dump, directives: directives)
    #expect(blocks.map(\.description) == ["tool --help", "tool sub --help"])
    #expect(blocks[0].examples.map(\.command) == ["tool a", "tool serve --port 8000"])
    #expect(blocks[0].examples.map(\.isBackground) == [false, true])
    #expect(blocks[1].examples.map(\.notRun) == ["why"])
    #expect(blocks[1].place(blocks[1].examples[0]) == "tool sub --help, example 1")
  }
}

import Testing

@testable import TGPTCommandSupport

@Suite struct PromptComposerTests {
  @Test func stdinFirstThenOneBlankLineThenTheWords() {
    #expect(PromptComposer.compose(stdin: "diff\n", words: ["write", "it"], mode: .prepend) == "diff\n\nwrite it")
    #expect(PromptComposer.compose(stdin: "diff", words: ["write"], mode: .prepend) == "diff\n\nwrite")
    #expect(PromptComposer.compose(stdin: "diff", words: ["write"], mode: .append) == "write\n\ndiff")
  }

  @Test func eitherPartAlone() {
    #expect(PromptComposer.compose(stdin: nil, words: ["a", "b"], mode: .prepend) == "a b")
    #expect(PromptComposer.compose(stdin: "  kept \n", words: [], mode: .prepend) == "  kept \n")
    #expect(PromptComposer.compose(stdin: "", words: [], mode: .prepend) == nil)
    #expect(PromptComposer.compose(stdin: nil, words: [], mode: .ignore) == nil)
  }

  @Test func shellCommandsCaptureStdoutAndStatus() async {
    #expect(await ShellCommand.capture("printf 'secret\\n\\n'").output == "secret")
    let failed = await ShellCommand.capture("echo out; exit 3")
    #expect(failed.output == nil)
    #expect(failed.status == 3)
    #expect(await ShellCommand.capture("cat").output == "", "the command's stdin is /dev/null")
  }
}

import TGPTCommandSupport
import Testing

@Suite struct ShellWordsTests {
  @Test func wordsSplitAsAShellWouldWithoutExpandingAnything() throws {
    #expect(try ShellWords.split("uvx mcp-server-time") == ["uvx", "mcp-server-time"])
    #expect(try ShellWords.split("  a\t b \n") == ["a", "b"])
    #expect(
      try ShellWords.split(#"python3 -m 'my server' --tz "Europe/Paris""#) == [
        "python3", "-m", "my server", "--tz", "Europe/Paris",
      ])
    #expect(try ShellWords.split(#"a\ b "c\"d" 'e\f' "g\h""#) == ["a b", #"c"d"#, #"e\f"#, #"g\h"#])
    #expect(try ShellWords.split(#"x '' "" y"#) == ["x", "", "", "y"])
    #expect(try ShellWords.split("echo $HOME *.txt ~") == ["echo", "$HOME", "*.txt", "~"])
    #expect(try ShellWords.split("") == [])
  }

  @Test func unclosedQuotesAreErrors() {
    #expect(throws: ShellWords.Failure.self) { try ShellWords.split("a 'b") }
    #expect(throws: ShellWords.Failure.self) { try ShellWords.split(#"a "b"#) }
    #expect(throws: ShellWords.Failure.self) { try ShellWords.split(#"a\"#) }
  }
}

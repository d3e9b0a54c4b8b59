import TGPTEvents
import Testing

@testable import TGPTCommandSupport

@Suite struct MistypedCommandTests {
  static let commands = ["turn", "serve", "chat", "list", "show", "rm", "rename", "set", "export", "import", "search"]
  static let habits = ["models": "see --models", "keys": "keys live in the environment"]

  static func check(_ line: String) -> MistypedCommand? {
    MistypedCommand.check(line.split(separator: " ").map(String.init), commands: commands, habits: habits)
  }

  @Test func typosOfCommandsAreCaught() {
    #expect(Self.check("lst")?.hint == "did you mean list?")
    #expect(Self.check("exprot")?.hint == "did you mean export?")
    #expect(Self.check("serach")?.hint == "did you mean search?")
    #expect(Self.check("lsit work")?.hint == "did you mean list?")
    #expect(Self.check("shwo")?.word == "shwo")
  }

  @Test func habitsOfOtherToolsAreCaughtUpToThreeWords() {
    #expect(Self.check("models")?.hint == "see --models")
    #expect(Self.check("Keys set openrouter")?.hint == "keys live in the environment")
    #expect(Self.check("keys set openrouter now") == nil)
  }

  @Test func ordinaryMessagesGoThrough() {
    for message in [
      "hello", "hi", "test", "what is love", "how", "why is the sky blue", "explain", "summarise", "list",
    ] {
      #expect(Self.check(message) == nil, "\(message)")
    }
  }

  @Test func quotedOrPunctuatedWordsAreMessages() {
    #expect(MistypedCommand.check(["lst of things"], commands: Self.commands, habits: Self.habits) == nil)
    #expect(MistypedCommand.check(["models?"], commands: Self.commands, habits: Self.habits) == nil)
    #expect(MistypedCommand.check([], commands: Self.commands, habits: Self.habits) == nil)
  }

  @Test func distanceCountsASwapAsOneEdit() {
    #expect(EditDistance.between("exprot", "export") == 1)
    #expect(EditDistance.between("hello", "help") == 2)
    #expect(EditDistance.between("", "rm") == 2)
  }
}

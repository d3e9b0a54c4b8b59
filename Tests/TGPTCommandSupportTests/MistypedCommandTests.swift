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
    #expect(Self.check("lst")?.hint == "'lst' is not a command: did you mean list?")
    #expect(Self.check("exprot")?.hint == "'exprot' is not a command: did you mean export?")
    #expect(Self.check("serach")?.hint == "'serach' is not a command: did you mean search?")
    #expect(Self.check("lisr")?.hint == "'lisr' is not a command: did you mean list?")
    #expect(Self.check("shwo")?.word == "shwo")
    // Two words are a message: a typo is caught only alone.
    #expect(Self.check("lsit work") == nil)
  }

  @Test func habitsOfOtherToolsAreCaughtUpToThreeWords() {
    #expect(Self.check("models")?.hint == "'models' is not a command: see --models")
    #expect(Self.check("Keys set openrouter")?.hint == "'Keys' is not a command: keys live in the environment")
    #expect(Self.check("models list")?.word == "models")
    #expect(Self.check("keys set openrouter now please") == nil)
  }

  @Test func ordinaryMessagesGoThrough() {
    let messages = [
      "hello", "hi", "test", "what is love", "how", "why is the sky blue", "explain", "summarise",
      // Found refused by a review: a habit word followed by other words, or a real word one
      // letter from a command but not one slip of the finger away.
      "models of computation", "keys to success", "gist", "lift", "mist", "fist", "sea", "sed", "heap", "server",
      "helm charts", "heap sort", "lisp macros", "lint rules", "chart types", "expert tips", "sea shanty",
    ]
    for message in messages {
      #expect(Self.check(message) == nil, "\(message)")
    }
  }

  @Test func aCommandNameAfterOptionsIsACommandPutLast() {
    #expect(Self.check("list")?.hint == "'list' is a command, and commands come first: list …")
    #expect(Self.check("show me the diff")?.word == "show")
  }

  @Test func slipsOfTheFingerAreNeighbouringKeys() {
    #expect(EditDistance.between("rn", "rm", keyboard: true) == 1)
    #expect(EditDistance.between("sea", "set", keyboard: true) == 2)
    #expect(EditDistance.between("sea", "set") == 1)
    #expect(EditDistance.between("gist", "list", keyboard: true) == 2)
    #expect(EditDistance.between("lisr", "list", keyboard: true) == 1)
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

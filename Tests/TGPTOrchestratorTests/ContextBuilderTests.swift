import TGPTEvents
import TGPTSession
import Testing

@testable import TGPTOrchestrator

/// A history of whole turns: (question, answer, status).
func history(_ turns: [(String, String, MessageStatus)]) -> [StoredMessage] {
  var messages: [StoredMessage] = []
  for (index, turn) in turns.enumerated() {
    let number = index + 1
    messages.append(
      StoredMessage(sessionID: "s", seq: 2 * number - 1, turn: number, role: "user", content: turn.0, createdAt: 0))
    messages.append(
      StoredMessage(
        sessionID: "s", seq: 2 * number, turn: number, role: "assistant", content: turn.1, status: turn.2,
        createdAt: 0))
  }
  return messages
}

func contents(_ context: ContextBuilder.Context) -> [String] {
  context.messages.map { $0["content"]?.stringValue ?? "?" }
}

@Suite struct ContextBuilderTests {
  @Test func theTokenEstimateIsConservativeAndCJKAware() {
    #expect(TokenEstimator.tokens("") == 0)
    #expect(TokenEstimator.tokens("abcdefghi") == 3, "3 ASCII bytes per token")
    #expect(TokenEstimator.tokens("abcdefghij") == 4, "rounded up")
    #expect(TokenEstimator.tokens("日本語") == 5, "1.5 per ideograph, rounded up")
    #expect(TokenEstimator.tokens("한국어입니다") == 9)
    #expect(TokenEstimator.tokens("héllo") == 3, "h, llo: 4 ASCII → 2; é → 1")
    #expect(TokenEstimator.messageTokens("abc") == 1 + TokenEstimator.perMessage)
  }

  @Test func theByteCountAgreesWithCountingCharacters() {
    func reference(_ text: String) -> Int {
      var ascii = 0
      var wide = 0
      var other = 0
      for scalar in text.unicodeScalars {
        let v = scalar.value
        if v < 0x80 {
          ascii += 1
        } else if (0x3040...0x30FF).contains(v) || (0x3400...0x9FFF).contains(v) || (0xAC00...0xD7AF).contains(v)
          || (0xF900...0xFAFF).contains(v) || (0x20000...0x3FFFF).contains(v)
        {
          wide += 3
        } else {
          other += 1
        }
      }
      return (ascii + 2) / 3 + (wide + 1) / 2 + other
    }
    for text in ["", "plain ascii text", "héllo wörld", "日本語とカタカナ", "한국어", "😀👍🏽 emoji", "𠀀𠀁 ext-B", "mixed 日本 é 😀 x"] {
      #expect(TokenEstimator.tokens(text) == reference(text), "\(text)")
    }
  }

  @Test func contextWindowsOfKnownModels() {
    #expect(ModelContext.tokens(for: "openai/gpt-4o-mini") == 128_000)
    #expect(ModelContext.tokens(for: "anthropic/claude-sonnet-4") == 200_000)
    #expect(ModelContext.tokens(for: "gpt-4") == 8192)
    #expect(ModelContext.knownTokens(for: "someone/new-model") == nil)
    #expect(ModelContext.tokens(for: "someone/new-model") == ModelContext.fallback)
    #expect(ModelContext.tokens(for: nil) == 8192)
    #expect(ContextBuilder.budget(window: 8192, maxTokens: nil) == 8192 - 2048)
    #expect(ContextBuilder.budget(window: 128_000, maxTokens: nil) == 128_000 - 4096)
    #expect(ContextBuilder.budget(window: 8192, maxTokens: 100) == 8092)
  }

  @Test func everythingFitsInOrder() throws {
    let builder = ContextBuilder(budget: 1000)
    let context = try builder.build(
      history: history([("q1", "a1", .complete), ("q2", "a2", .complete)]), system: "sys", message: "new")
    #expect(contents(context) == ["q1", "a1", "q2", "a2", "new"])
    #expect(
      context.messages.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "user", "assistant", "user"])
    #expect(context.turnsSent == 2 && context.turnsDropped == 0)
  }

  @Test func theOldestTurnsAreDroppedFirstAndTheNewMessageAlwaysKept() throws {
    let long = String(repeating: "word ", count: 60)  // 100 tokens + 4
    let turns = (1...5).map { ("q\($0) " + long, "a\($0)", MessageStatus.complete) }
    let perTurn = TokenEstimator.messageTokens(turns[0].0) + TokenEstimator.messageTokens("a1")
    let fixed = TokenEstimator.messageTokens("sys") + TokenEstimator.messageTokens("new")
    let builder = ContextBuilder(budget: fixed + 2 * perTurn + 1)
    let context = try builder.build(history: history(turns), system: "sys", message: "new")
    #expect(context.turnsSent == 2 && context.turnsDropped == 3)
    #expect(contents(context).first?.hasPrefix("q4") == true)
    #expect(contents(context).last == "new")
  }

  @Test func failedAndInterruptedAnswersAreLeftOutUnlessAsked() throws {
    let turns = history([
      ("q1", "a1", .complete), ("q2", "half", .partial), ("q3", "", .error), ("q4", "", .interrupted),
      ("q5", "a5", .complete),
    ])
    let normal = try ContextBuilder(budget: 1000).build(history: turns, system: nil, message: "new")
    #expect(contents(normal) == ["q1", "a1", "q5", "a5", "new"])
    #expect(normal.turnsSent == 2 && normal.turnsDropped == 0, "left-out turns are not counted as dropped")
    let included = try ContextBuilder(budget: 1000, includeFailed: true).build(
      history: turns, system: nil, message: "new")
    #expect(contents(included) == ["q1", "a1", "q2", "half", "q5", "a5", "new"], "answers with text are kept")
  }

  @Test func aMessageThatCannotFitIsAnOverflow() {
    let builder = ContextBuilder(budget: 50)
    #expect(throws: ContextBuilder.Failure.self) {
      try builder.build(history: [], system: nil, message: String(repeating: "x", count: 300))
    }
    #expect(throws: ContextBuilder.Failure.self) {
      try builder.build(history: [], system: String(repeating: "x", count: 300), message: "hi")
    }
  }
}

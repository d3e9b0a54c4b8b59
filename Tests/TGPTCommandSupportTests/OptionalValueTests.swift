import Testing

@testable import TGPTCommandSupport

@Suite struct OptionalValueTests {
  static let speak = OptionalValue("--speak")
  static let cache = OptionalValue("--cache") { $0.first?.isNumber == true }

  @Test func anOptionWithoutAValueGetsTheOmittedMarker() {
    #expect(OptionalValue.rewrite(["--speak"], [Self.speak]) == ["--speak=\u{0}"])
    #expect(OptionalValue.rewrite(["--speak", "--plain"], [Self.speak]) == ["--speak=\u{0}", "--plain"])
    #expect(OptionalValue.rewrite(["--cache", "what is 2+2?"], [Self.cache]) == ["--cache=\u{0}", "what is 2+2?"])
  }

  @Test func aValueAfterTheOptionIsItsValue() {
    #expect(OptionalValue.rewrite(["--speak", "say -v Anna", "-x"], [Self.speak]) == ["--speak=say -v Anna", "-x"])
    #expect(OptionalValue.rewrite(["--cache", "15m", "hi"], [Self.cache]) == ["--cache=15m", "hi"])
  }

  @Test func otherArgumentsAndThoseAfterADoubleDashAreLeftAlone() {
    #expect(OptionalValue.rewrite(["--speak=x", "a"], [Self.speak]) == ["--speak=x", "a"])
    #expect(OptionalValue.rewrite(["a", "--", "--speak"], [Self.speak]) == ["a", "--", "--speak"])
  }
}

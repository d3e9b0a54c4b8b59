import TGPTEvents
import Testing

@testable import TGPTRender

@Suite struct SentenceSplitterTests {
  /// Answer text and the sentences it is spoken as.
  static let cases: [(String, [String])] = [
    ("Hello World. My name is Jonas.", ["Hello World.", "My name is Jonas."]),
    ("What is your name? My name is Jonas.", ["What is your name?", "My name is Jonas."]),
    ("There it is! I found it.", ["There it is!", "I found it."]),
    ("My name is Jonas E. Smith.", ["My name is Jonas E. Smith."]),
    ("J. R. R. Tolkien wrote it. Yes.", ["J. R. R. Tolkien wrote it.", "Yes."]),
    ("Please turn to p. 55. Go on.", ["Please turn to p. 55.", "Go on."]),
    ("Go to No. 5 now.", ["Go to No. 5 now."]),
    ("Were Jane and co. at the party?", ["Were Jane and co. at the party?"]),
    ("Let's ask Jane and co. They should know.", ["Let's ask Jane and co.", "They should know."]),
    ("Dr. Smith measured 3.5 mm. Then he left.", ["Dr. Smith measured 3.5 mm.", "Then he left."]),
    (
      "Mr. and Mrs. Smith met e.g. Anna at the U.S. embassy.", ["Mr. and Mrs. Smith met e.g. Anna at the U.S. embassy."]
    ),
    ("Compare A vs. B, i.e. Two things.", ["Compare A vs. B, i.e. Two things."]),
    ("I live in the U.S. How about you?", ["I live in the U.S.", "How about you?"]),
    ("It was 5 p.m. Then it rained.", ["It was 5 p.m.", "Then it rained."]),
    ("Version v1.2.3 is out. Get it.", ["Version v1.2.3 is out.", "Get it."]),
    ("It costs $3.50. Cheap!", ["It costs $3.50.", "Cheap!"]),
    ("Wait... what? Really?! Yes… Fine.", ["Wait... what?", "Really?!", "Yes…", "Fine."]),
    (#"He said "Stop." Then he left."#, [#"He said "Stop.""#, "Then he left."]),
    ("“Why?” she asked. Nobody knew.", ["“Why?” she asked.", "Nobody knew."]),
    ("(This is it.) Next one.", ["(This is it.)", "Next one."]),
    ("Visit https://example.com/a.b. It works.", ["Visit https://example.com/a.b.", "It works."]),
    ("Use `foo. Bar` here. Done.", ["Use foo. Bar here.", "Done."]),
    ("**Bold.** Next.", ["Bold.", "Next."]),
    ("See [the docs](https://x.y/z.html). Done.", ["See the docs.", "Done."]),
    ("See [the docs. Really](https://x.y) now. Next", ["See the docs. Really now.", "Next"]),
    ("A [stray bracket. Here\nNew line. Ok", ["A [stray bracket. Here New line.", "Ok"]),
    ("An image ![a cat](cat.png) and <https://a.b/c> here.", ["An image a cat and https://a.b/c here."]),
    ("Snake_case and _emphasis_ and 2 * 3 = 6.", ["Snake_case and emphasis and 2 * 3 = 6."]),
    ("The ~~old~~ new way, ~5 min. Ok", ["The old new way, ~5 min.", "Ok"]),
    ("Escaped \\*star\\* here.", ["Escaped *star* here."]),
    ("The end", ["The end"]),
    ("# Title\nFirst line here. Second", ["Title", "First line here.", "Second"]),
    (
      "Steps:\n1. Install it.\n2) Run it\n- third item\n  * nested\n\nAfter.",
      ["Steps:", "Install it.", "Run it", "third item", "nested", "After."]
    ),
    ("Here:\n```swift\nlet x = 1. Foo\n```\nAfter code.", ["Here:", "After code."]),
    ("Tilde:\n~~~\ncode. Code\n~~~~\nMore.", ["Tilde:", "More."]),
    ("A line\nwrapped here. End", ["A line wrapped here.", "End"]),
    ("> Quoted text. More\n>\n> After", ["Quoted text.", "More", "After"]),
    ("| a | b |\n|---|:-:|\n| 1.5 | 2 |\n", ["a, b", "1.5, 2"]),
    ("Rule\n---\n\n***\nBelow", ["Rule", "Below"]),
    ("Line one.\r\nLine two.", ["Line one.", "Line two."]),
    ("Red \u{1B}[31mtext\u{1B}[0m here.\u{07} Next.", ["Red text here.", "Next."]),
    ("你好。世界！好吗？", ["你好。", "世界！", "好吗？"]),
    ("「你好。」他说。OK.", ["「你好。」", "他说。", "OK."]),
    ("Emoji 🎉 only. 🎉 ... Fine.", ["Emoji 🎉 only.", "🎉 ...", "Fine."]),
    ("Only punctuation: . Then text.", ["Only punctuation: .", "Then text."]),
  ]

  static func whole(_ text: String) -> [String] {
    var splitter = SentenceSplitter()
    return splitter.feed(text) + splitter.finish()
  }

  @Test(arguments: 0..<cases.count) func sentences(_ index: Int) {
    let (text, expected) = Self.cases[index]
    #expect(Self.whole(text) == expected, "\(text.debugDescription)")
  }

  /// Any split of the text into two pieces gives the same sentences as the whole, and so does
  /// feeding it one character at a time.
  @Test(arguments: 0..<cases.count) func splitAnywhere(_ index: Int) {
    let text = Self.cases[index].0
    let expected = Self.whole(text)
    let scalars = Array(text.unicodeScalars)
    for cut in 0...scalars.count {
      var splitter = SentenceSplitter()
      let first = String(String.UnicodeScalarView(scalars[..<cut]))
      let rest = String(String.UnicodeScalarView(scalars[cut...]))
      let got = splitter.feed(first) + splitter.feed(rest) + splitter.finish()
      #expect(got == expected, "cut at \(cut) of \(text.debugDescription)")
    }
    var splitter = SentenceSplitter()
    var got: [String] = []
    for scalar in scalars { got += splitter.feed(String(scalar)) }
    got += splitter.finish()
    #expect(got == expected, "one at a time: \(text.debugDescription)")
  }

  @Test func aSentenceIsGivenOutOnceTheNextOneStarts() {
    var splitter = SentenceSplitter()
    #expect(splitter.feed("Hello world.") == [])
    #expect(splitter.feed(" ") == [])
    #expect(splitter.feed("How") == ["Hello world."])
    #expect(splitter.feed(" are you? I") == ["How are you?"])
    #expect(splitter.finish() == ["I"])
  }

  /// Lines that stay undecided while they grow (spaces, quote markers, `- - -`) are read as
  /// text past a bound: a megabyte of them, fed a piece at a time, would otherwise be decided
  /// again at every character (hours of work, caught by the time limit).
  @Test(.timeLimit(.minutes(2)), arguments: [" ", "> ", "- "])
  func aHugeUndecidedLineIsReadInLinearTime(_ unit: String) async {
    var splitter = SentenceSplitter()
    let piece = String(repeating: unit, count: 1000)
    for _ in 0..<(1 << 20) / piece.utf8.count {
      #expect(splitter.feed(piece).isEmpty)
      // Lets the time limit end a run that has gone quadratic.
      await Task.yield()
      if Task.isCancelled { return }
    }
    // Past the bound the markers are text; what matters is that the line is read at all.
    let sentences = splitter.feed("Hello world.\n") + splitter.finish()
    #expect(sentences.count == 1 && sentences[0].hasSuffix("Hello world."))
  }

  @Test func aListItemIsGivenOutAtItsLineEnd() {
    var splitter = SentenceSplitter()
    #expect(splitter.feed("- first item") == [])
    #expect(splitter.feed("\n") == ["first item"])
  }

  @Test func eachAnswerEndsItsSentences() {
    var splitter = SentenceSplitter()
    #expect(splitter.feed("```\ncode. Never") == [])
    #expect(splitter.finish() == [])
    // A code block left open by one answer does not swallow the next.
    #expect(splitter.feed("Next answer. Two") == ["Next answer."])
    #expect(splitter.finish() == ["Two"])
  }

  @Test func eventsEndSentencesAtTheEndOfATurnAndAtAToolCall() throws {
    var feed = SentenceFeed()
    func line(_ event: Event) -> [String] {
      event.line.withUnsafeBytes { feed.line($0) }
    }
    #expect(line(Event(.start(.init(model: "m")))) == [])
    #expect(line(Event(.chunk(.init(content: "One. Two")))) == ["One."])
    #expect(line(Event(.reasoning(.init(content: "Thinking. Hard")))) == [])
    #expect(line(Event(.toolCall(.init(callID: "c", name: "t", arguments: [:])))) == ["Two"])
    #expect(line(Event(.chunk(.init(content: "Three")))) == [])
    #expect(line(Event(.complete(.init(processingTimeMs: 1)))) == ["Three"])
    #expect(line(Event(.chunk(.init(content: "Cut off")))) == [])
    #expect(line(Event(.error(.init(message: "x", code: .timeout)))) == ["Cut off"])
    #expect(feed.text("Plain. Text") == ["Plain."])
    #expect(feed.finish() == ["Text"])
  }
}

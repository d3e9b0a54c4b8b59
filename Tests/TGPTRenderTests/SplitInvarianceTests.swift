import FoundationEssentials
import Testing

@testable import TGPTRender

/// However the answer is cut into chunks — inside words, fences, table rows, grapheme
/// clusters — the final output is the same, plain and styled, append-only and live.
@Suite struct SplitInvarianceTests {
  static let fixtures = ["elements", "long-answer", "cjk-table", "emoji-list", "escapes"]

  /// Cuts `text` at unicode scalar boundaries (so grapheme clusters can be split too).
  static func chunks(_ text: String, sizes: [Int]) -> [String] {
    let scalars = Array(text.unicodeScalars)
    var result: [String] = []
    var start = 0
    var k = 0
    while start < scalars.count {
      let size = max(1, sizes[k % sizes.count])
      let end = min(start + size, scalars.count)
      result.append(String(String.UnicodeScalarView(scalars[start..<end])))
      start = end
      k += 1
    }
    return result
  }

  static func screen(_ bytes: [UInt8]) -> [String] {
    var terminal = VirtualTerminal()
    terminal.feed(bytes)
    #expect(terminal.unexpected.isEmpty, "unexpected escapes: \(terminal.unexpected)")
    return terminal.screen
  }

  @Test(arguments: fixtures)
  func everyTwoWaySplitGivesTheSameOutput(_ name: String) throws {
    let input = try RenderHarness.fixture("\(name).md")
    let whole = RenderHarness.render([input], options: RenderHarness.options(live: false))
    let scalars = Array(input.unicodeScalars)
    let step = max(1, scalars.count / 300)
    for cut in stride(from: 0, through: scalars.count, by: step) {
      let parts = [
        String(String.UnicodeScalarView(scalars[..<cut])), String(String.UnicodeScalarView(scalars[cut...])),
      ]
      #expect(
        RenderHarness.render(parts, options: RenderHarness.options(live: false)) == whole, "\(name) cut at \(cut)")
    }
  }

  /// A seeded generator, so a failing split can be reproduced.
  struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 11 | state << 53
    }
  }

  @Test(arguments: fixtures)
  func smallChunksGiveTheSameOutput(_ name: String) throws {
    let input = try RenderHarness.fixture("\(name).md")
    let whole = RenderHarness.render([input], options: RenderHarness.options(live: false))
    let expectedScreen = Self.screen(whole)
    var generator = SeededGenerator(state: 42)
    let patterns: [[Int]] =
      [[1], [2], [3, 1, 4, 1, 5], [7], [64]]
      + (0..<5).map { _ in
        (0..<16).map { _ in Int.random(in: 1...12, using: &generator) }
      }
    for sizes in patterns {
      let parts = Self.chunks(input, sizes: sizes)
      let appendOnly = RenderHarness.render(parts, options: RenderHarness.options(live: false))
      #expect(appendOnly == whole, "\(name), chunk sizes \(sizes)")
      let live = RenderHarness.render(parts, options: RenderHarness.options(live: true))
      #expect(Self.screen(live) == expectedScreen, "\(name) live, chunk sizes \(sizes)")
      let plain = RenderHarness.render(parts, options: RenderOptions(output: .plain(terminal: false)))
      #expect(plain == Array(input.utf8), "\(name) plain, chunk sizes \(sizes)")
    }
  }

  @Test func liveRedrawsOnlyTheOpenRow() {
    // Each chunk arrives alone; finished rows must never be written twice.
    let input = "First paragraph that is long enough to wrap at forty columns for sure.\nSecond line.\n"
    let live = RenderHarness.render(
      Self.chunks(input, sizes: [3]), options: RenderHarness.options(live: true, width: 40))
    let text = String(decoding: live, as: UTF8.self)
    #expect(text.components(separatedBy: "\n").count == 4, "one newline per row: each row committed once")
    #expect(!text.contains("\u{1B}[A"), "no cursor-up: finished lines are never redrawn")
  }
}

/// Live output checked frame by frame on a terminal that wraps at the width: a redraw of a
/// row wider than the terminal, or a row drawn and then lost, shows up as a wrong screen.
@Suite struct LiveFrameTests {
  @Test(arguments: SplitInvarianceTests.fixtures + ["cjk-paragraph"])
  func everyFrameIsAPrefixOfTheFinalScreen(_ name: String) throws {
    let input = name == "cjk-paragraph" ? LiveFrameTests.cjk : try RenderHarness.fixture("\(name).md")
    for width in [24, 80] {
      let options = RenderHarness.options(live: true, width: width)
      var appendOnly = VirtualTerminal()
      appendOnly.width = width
      appendOnly.feed(RenderHarness.render([input], options: RenderHarness.options(live: false, width: width)))
      let final = appendOnly.screen
      var renderer = EventRenderer(options: options)
      var terminal = VirtualTerminal()
      terminal.width = width
      for chunk in SplitInvarianceTests.chunks(input, sizes: [5, 11, 3]) {
        renderer.text(chunk)
        for case .stdout(let bytes) in renderer.take() { terminal.feed(bytes) }
        let screen = terminal.screen
        // All lines but the one being written must already be final.
        for (index, line) in screen.dropLast().enumerated() where !isCode(line) {
          #expect(index < final.count && final[index] == line, "\(name) at \(width): line \(index + 1) is \(line)")
        }
      }
      renderer.finish()
      for case .stdout(let bytes) in renderer.take() { terminal.feed(bytes) }
      #expect(terminal.screen == final, "\(name) at \(width)")
    }
  }

  /// Code lines may be drawn wider than the terminal while open (they are never wrapped).
  private func isCode(_ line: String) -> Bool { false }

  static let cjk = "東京に住んでいるソフトウェアエンジニアで、毎日たくさんのコードを書いています。そして夜は本を読みます。週末には山に登ることもあります。\n\n次の段落。\n"

  @Test func aParagraphWithoutSpacesCommitsRowsWhileItStreams() {
    var renderer = MarkdownRenderer(width: 20)
    renderer.feed(String(LiveFrameTests.cjk.prefix(40)))
    #expect(renderer.takeCommitted().count >= 3, "rows are committed before the line ends")
  }
}

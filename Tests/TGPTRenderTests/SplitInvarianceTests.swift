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

  @Test(arguments: fixtures)
  func smallChunksGiveTheSameOutput(_ name: String) throws {
    let input = try RenderHarness.fixture("\(name).md")
    let whole = RenderHarness.render([input], options: RenderHarness.options(live: false))
    let expectedScreen = Self.screen(whole)
    var generator = SystemRandomNumberGenerator()
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

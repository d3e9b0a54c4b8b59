import Foundation
import TGPTEvents
import Testing

/// Issue 16's web client in a real browser: `tgpt-ws-bridge serve` serves the page, headless
/// Chromium loads it and is driven over DevTools as a person would use it. One browser at a
/// time (each takes a few hundred MiB), each test its own, killed at its end.
@Suite(.serialized, .timeLimit(.minutes(10))) struct WebClientTests {
  /// Where the screenshots go: `.build/test-screenshots/` of this checkout.
  static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(".build/test-screenshots")

  /// An answer with each kind of block the page renders.
  static let markdownAnswer = """
    ## Reversing an array in Swift

    Use **`reversed()`** for a lazy view, or `reverse()` to change the array *in place*:

    - `reversed()` returns a view and copies nothing
    - `reverse()` mutates the array itself
    - both take linear time

    ```swift
    var numbers = [1, 2, 3, 4]
    numbers.reverse()
    print(numbers) // [4, 3, 2, 1]
    ```

    | Method | Copies | Mutates | Returns |
    |---|:---:|:---:|---|
    | `reversed()` | no | no | `ReversedCollection` |
    | `reverse()` | no | yes | nothing |

    See [the Swift documentation](https://www.swift.org/documentation/) for more.
    """

  /// A server whose answers are the fake provider's: `scenario` (e.g. `text=…;delay=40`).
  static func server(
    scenario: String, _ arguments: [String] = [],
    env: [String: String] = Harness.environment(
      ["OPENROUTER_API_KEY": "test-key"])
  ) async throws -> BridgeServerProcess {
    let base = try await FakeProviderServer.shared.url(scenario)
    return try await BridgeServerProcess.start(
      arguments, child: [Harness.binary("tgpt-session").path, "serve", "--provider", "openrouter", "--base-url", base],
      env: env)
  }

  static func percentEncoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
  }

  /// Opens the page and waits for its WebSocket.
  static func openChat(_ page: BrowserPage, _ url: String) async throws {
    try await page.open(url)
    try await page.waitFor("the page to connect", "document.body.dataset.connection === 'open'")
  }

  @Test func aQuestionTypedAndSentWithEnterStreamsBackAsRenderedMarkdown() async throws {
    let server = try await Self.server(scenario: "text=\(Self.percentEncoded(Self.markdownAnswer));delay=30")
    defer { server.terminate() }
    try await Chromium.with { browser in
      let page = try await browser.newPage(width: 1280, height: 800)
      try await Self.openChat(page, server.baseURL + "/")
      #expect(try await page.string("document.activeElement.id") == "message", "the message box has the focus")

      // Shift+Enter is a new line, not a send.
      try await page.type("How do I reverse an array in Swift?")
      try await page.press("Enter", modifiers: 8)
      try await page.type("Show both ways.")
      #expect(try await page.string("document.getElementById('message').value").contains("Swift?\nShow"))
      #expect(try await page.int("document.querySelectorAll('.message').length") == 0, "nothing was sent")

      // Every repaint of the answer is noted, to see it grow in pieces rather than at once.
      try await page.evaluate(
        """
        window.lengths = [];
        new MutationObserver(() => {
          const answer = document.querySelector('.message.assistant .markdown');
          if (answer) window.lengths.push(answer.textContent.length);
        }).observe(document.getElementById('log'), { subtree: true, childList: true, characterData: true });
        """)
      try await page.press("Enter")
      #expect(
        try await page.string("document.querySelector('.message.user .bubble').textContent")
          == "How do I reverse an array in Swift?\nShow both ways.")
      try await page.waitFor(
        "the answer to complete", "document.querySelector('.message.assistant')?.dataset.status === 'complete'")
      #expect(try await page.string("document.getElementById('message').value") == "", "the box is empty again")

      let final = try await page.int("document.querySelector('.message.assistant .markdown').textContent.length")
      let partial = Set(try await page.evaluate("window.lengths").arrayValue?.compactMap(\.intValue) ?? [])
        .filter { $0 > 0 && $0 < final }
      #expect(partial.count >= 3, "the answer grew over several chunks: \(partial.sorted()) of \(final)")

      // Markdown as elements: heading, emphasis, list, code block with its copy button, table, link.
      let answer = "document.querySelector('.message.assistant .markdown')"
      #expect(try await page.string("\(answer).querySelector('h2').textContent") == "Reversing an array in Swift")
      #expect(try await page.string("\(answer).querySelector('strong code').textContent") == "reversed()")
      #expect(try await page.int("\(answer).querySelectorAll('ul > li').length") == 3)
      #expect(
        try await page.string("\(answer).querySelector('.code-block pre code').textContent")
          == "var numbers = [1, 2, 3, 4]\nnumbers.reverse()\nprint(numbers) // [4, 3, 2, 1]")
      #expect(try await page.string("\(answer).querySelector('.code-block button.copy').textContent") == "Copy")
      #expect(try await page.int("\(answer).querySelectorAll('table th').length") == 4)
      #expect(try await page.int("\(answer).querySelectorAll('table tbody tr').length") == 2)
      #expect(try await page.string("\(answer).querySelector('a').href") == "https://www.swift.org/documentation/")
      try await page.screenshot(to: Self.screenshots.appendingPathComponent("web-1280x800.png"))
      try await page.send(
        "Emulation.setEmulatedMedia", ["features": [["name": "prefers-color-scheme", "value": "dark"]]])
      try await page.waitFor("the dark colours", "matchMedia('(prefers-color-scheme: dark)').matches")
      try await page.screenshot(to: Self.screenshots.appendingPathComponent("web-1280x800-dark.png"))
      try await page.send(
        "Emulation.setEmulatedMedia", ["features": [["name": "prefers-color-scheme", "value": "light"]]])

      // A phone: nothing wider than the screen, big enough targets, and the list behind a button.
      try await page.resize(width: 360, height: 740, mobile: true)
      try await page.waitFor(
        "the narrow layout", "getComputedStyle(document.getElementById('open-sidebar')).display !== 'none'")
      #expect(try await page.int("document.documentElement.scrollWidth") <= 360)
      #expect(try await page.int("document.getElementById('log').scrollWidth") <= 360, "code and tables scroll inside")
      let small = try await page.evaluate(
        """
        [...document.querySelectorAll('button, textarea, input')].filter((e) => e.offsetParent !== null)
          .map((e) => e.getBoundingClientRect()).filter((r) => r.width < 44 || r.height < 44).length
        """)
      #expect(small.intValue == 0, "every visible control is at least 44×44 px")
      try await page.screenshot(to: Self.screenshots.appendingPathComponent("web-360x740.png"))
      try await page.click("#open-sidebar")
      try await page.waitFor(
        "the session list to slide in", "document.getElementById('sidebar').getBoundingClientRect().left === 0")
      try await page.waitFor(
        "the session to be listed", "document.querySelectorAll('#session-list .session').length === 1")
      try await page.screenshot(to: Self.screenshots.appendingPathComponent("web-360x740-sessions.png"))
      print("WebClientTests: screenshots in \(Self.screenshots.path)")
      #expect(try await page.problems() == [])
    }
  }

  @Test func textFromTheModelIsShownAsTextAndNeverRuns() async throws {
    let server = try await BridgeServerProcess.start(
      child: [Harness.binary("tgpt-session").path, "serve", "--provider", "echo", "--echo-delay-ms", "5"])
    defer { server.terminate() }
    let attack =
      #"<script>window.pwned = 'script'</script> <img src=x onerror="window.pwned = 'img'"> "#
      + #"[click](javascript:window.pwned='link') <b>bold?</b>"#
    try await Chromium.with { browser in
      let page = try await browser.newPage(width: 1280, height: 800)
      try await Self.openChat(page, server.baseURL + "/")
      try await page.type(attack)
      try await page.press("Enter")
      try await page.waitFor(
        "the answer to complete", "document.querySelector('.message.assistant')?.dataset.status === 'complete'")
      for _ in 0..<2 {
        let answer = try await page.string("document.querySelector('.message.assistant .markdown').textContent")
        #expect(answer.contains("<script>window.pwned = 'script'</script>") && answer.contains("<b>bold?</b>"))
        #expect(answer.contains(#"<img src=x onerror="window.pwned = 'img'">"#), "\(answer)")
        #expect(try await page.string("document.querySelector('.message.user .bubble').textContent") == attack)
        #expect(
          try await page.int("document.querySelectorAll('.message img, .message script, .message b').length") == 0)
        #expect(try await page.int("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0)
        #expect(try await page.evaluate("window.pwned") == .null, "nothing the model wrote ran")
        #expect(try await page.problems() == [], "nor tried to load anything")
        // Again from the stored history, rendered the same way.
        try await page.reload()
        try await page.waitFor("the history", "document.querySelectorAll('.message.assistant').length === 1")
      }
    }
  }
}

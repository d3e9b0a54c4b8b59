import Foundation
import TGPTEvents
import Testing

extension WebClientTests {
  static let answerStatus = "document.querySelector('.message.assistant:last-of-type')?.dataset.status"

  /// An address whose `#` holds a broken escape still opens a chat (in a new session).
  @Test func aBrokenSessionInTheAddressStillStartsThePage() async throws {
    let server = try await Self.server(scenario: "text=ok")
    defer { server.terminate() }
    try await Chromium.with { browser in
      let page = try await browser.newPage(width: 1280, height: 800)
      try await Self.openChat(page, server.baseURL + "/#%E0%A4%A")
      #expect(try await page.string("location.hash.slice(1)").hasPrefix("web-"))
      #expect(try await page.problems().isEmpty)
    }
  }

  @Test func theStopButtonAndEscapeEndALongAnswerWhichTheServerKeepsAsInterrupted() async throws {
    let server = try await Self.server(scenario: "tokens=5000;delay=20")
    defer { server.terminate() }
    try await Chromium.with { browser in
      let page = try await browser.newPage(width: 1280, height: 800)
      try await Self.openChat(page, server.baseURL + "/")
      let session = try await page.string("location.hash.slice(1)")
      #expect(session.hasPrefix("web-") && session.count == 36, "a new session has a random id: \(session)")
      for (round, stop) in ["the stop button", "Escape"].enumerated() {
        try await page.type("Tell me a long story, part \(round + 1).")
        try await page.press("Enter")
        try await page.waitFor(
          "the answer to start",
          "document.querySelectorAll('.message.assistant').length === \(round + 1) && document.querySelector('.message.assistant:last-of-type .markdown').textContent.length > 20"
        )
        #expect(
          try await page.bool("!document.getElementById('stop').hidden && document.getElementById('send').hidden"))
        if round == 0 { try await page.click("#stop") } else { try await page.press("Escape") }
        try await page.waitFor("\(stop) to stop the answer", "\(Self.answerStatus) === 'interrupted'")
        #expect(
          try await page.string("document.querySelector('.message.assistant:last-of-type .note').textContent")
            == "Stopped")
        #expect(
          try await page.bool("document.getElementById('stop').hidden && !document.getElementById('send').hidden"))
        #expect(try await page.string("document.body.dataset.connection") == "open", "stopping keeps the connection")
      }
      // What the server stored: both answers interrupted, by the cancel the page sent.
      let talk = try await SeedClient.talk(server.ws(session), [.text(#"{"history":true}"#)])
      let history = try JSON.parse(try #require(talk.replies.first?.first?.jsonText))
      let answers = history["messages"]?.arrayValue?.filter { $0["role"]?.stringValue == "assistant" } ?? []
      #expect(answers.map { $0["status"]?.stringValue } == ["interrupted", "interrupted"], "\(history.compactText)")
      #expect(answers.allSatisfy { $0["error"]?.stringValue == "stopped in the web client" })

      // A reload shows the same conversation, from the server.
      try await page.reload()
      try await page.waitFor("the history", "document.querySelectorAll('.message').length === 4")
      #expect(try await page.string("location.hash.slice(1)") == session)
      #expect(
        try await page.int("document.querySelectorAll('.message.assistant[data-status=\"interrupted\"]').length") == 2)
      #expect(
        try await page.string("document.querySelector('.message.user .bubble').textContent")
          == "Tell me a long story, part 1.")
    }
  }

  @Test func eachPrincipalSeesItsOwnSessionsAndTheTokenIsAskedForOnce() async throws {
    let alice = try await BridgePrincipalTests.makeToken("alice")
    let bob = try await BridgePrincipalTests.makeToken("bob")
    let tokens = Harness.scratchDirectory().appendingPathComponent("tokens").path
    try "\(alice.line)\n\(bob.line)\n".write(toFile: tokens, atomically: true, encoding: .utf8)
    let server = try await BridgeServerProcess.start(
      ["--tokens", tokens], child: [Harness.binary("tgpt-session").path, "serve", "--provider", "echo"])
    defer { server.terminate() }
    try await Chromium.with { browser in
      // Alice follows a link with her token: kept, and gone from the address.
      let page = try await browser.newPage(width: 1280, height: 800)
      try await Self.openChat(page, server.baseURL + "/?token=" + alice.token)
      #expect(try await page.string("location.search") == "")
      #expect(try await page.string("localStorage.getItem('tgpt.token')") == alice.token)
      for question in ["alice's first question", "alice's second question"] {
        try await page.click("#new-session")
        try await page.type(question)
        try await page.press("Enter")
        try await page.waitFor("the answer", "\(Self.answerStatus) === 'complete'")
      }
      try await page.waitFor("both sessions listed", "document.querySelectorAll('#session-list .session').length === 2")
      #expect(
        try await page.string(
          "[...document.querySelectorAll('#session-list .session-title')].map((e) => e.textContent).join('|')")
          == "alice's second question|alice's first question", "newest first")
      // Back to the first session from the list: its history.
      try await page.click("#session-list li:last-child .session")
      try await page.waitFor(
        "the first session's history",
        "document.querySelector('.message.user .bubble')?.textContent === \"alice's first question\"")
      let alicesSession = try await page.string("location.hash.slice(1)")
      // Opened again (a new visit), the token is still there.
      try await Self.openChat(page, server.baseURL + "/")
      try await page.waitFor("the history again", "document.querySelectorAll('.message').length === 2")

      // Bob, in a browser profile of his own, with no token yet: asked for one, once.
      let bobs = try await browser.newPage(width: 360, height: 740, mobile: true, isolated: true)
      try await bobs.open(server.baseURL + "/#" + alicesSession)
      try await bobs.waitFor("the token form", "!document.getElementById('token-panel').hidden")
      #expect(try await bobs.string("document.activeElement.id") == "token-input")
      try await bobs.type("tgpt_not-a-token")
      try await bobs.press("Enter")
      try await bobs.waitFor(
        "the token refused", "document.getElementById('token-why').textContent.includes('did not accept')")
      try await bobs.type(bob.token)
      try await bobs.press("Enter")
      try await bobs.waitFor("bob connected", "document.body.dataset.connection === 'open'")
      #expect(try await bobs.string("localStorage.getItem('tgpt.token')") == bob.token)
      try await bobs.waitFor("bob's empty list", "!document.getElementById('no-sessions').hidden")
      #expect(try await bobs.int("document.querySelectorAll('#session-list .session').length") == 0)
      #expect(
        try await bobs.int("document.querySelectorAll('.message').length") == 0,
        "alice's session id is not hers for bob")
      try await bobs.type("bob's question")
      try await bobs.press("Enter")
      try await bobs.waitFor("bob's answer", "\(Self.answerStatus) === 'complete'")
      try await bobs.waitFor("bob's one session", "document.querySelectorAll('#session-list .session').length === 1")
      #expect(
        try await bobs.string("document.querySelector('#session-list .session-title').textContent") == "bob's question")
      #expect(try await page.int("document.querySelectorAll('#session-list .session').length") == 2)
    }
  }

  @Test func aDroppedConnectionComesBackWithBackoffAndTheHistory() async throws {
    let env = Harness.environment()
    let child = [Harness.binary("tgpt-session").path, "serve", "--provider", "echo"]
    let first = try await BridgeServerProcess.start(child: child, env: env)
    defer { first.terminate() }
    try await Chromium.with { browser in
      let page = try await browser.newPage(width: 1280, height: 800)
      try await Self.openChat(page, first.baseURL + "/")
      try await page.type("remember me")
      try await page.press("Enter")
      try await page.waitFor("the answer", "\(Self.answerStatus) === 'complete'")
      await first.stop()
      // Said on the page, with a way to try at once.
      try await page.waitFor(
        "the page to say it waits",
        "document.body.dataset.connection === 'waiting' && !document.getElementById('retry').hidden"
          + " && /^Reconnecting in \\d+ s$/.test(document.getElementById('connection-text').textContent)")
      // The same store on the same port, as after a restart.
      let second = try await BridgeServerProcess.start(child: child, port: first.port, env: env)
      defer { second.terminate() }
      try await page.waitFor("the page to reconnect", "document.body.dataset.connection === 'open'")
      try await page.waitFor("the history", "document.querySelectorAll('.message').length === 2")
      #expect(
        try await page.string("document.querySelector('.message.assistant .markdown').textContent") == "remember me")
    }
  }
}

import Foundation
import HTTPTypes
import NIOWebSocket
import TGPTEvents
import Testing
import WSCore

/// Issue 15's principals through a real server: `--tokens`, two principals with the same
/// session name, a client naming another principal, SIGHUP, quotas, and the local
/// `--principal`.
@Suite(.timeLimit(.minutes(10))) struct BridgePrincipalTests {
  /// `tgpt-ws-bridge token NAME`: the token and the tokens-file line.
  static func makeToken(_ name: String) async throws -> (token: String, line: String) {
    let made = try await Harness.run("tgpt-ws-bridge", ["token", name])
    #expect(made.status == 0, "\(made.stderr)")
    let lines = made.text.split(separator: "\n").map(String.init)
    try #require(lines.count == 2)
    return (lines[0], lines[1])
  }

  static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

  static func history(_ url: String, _ token: String) async throws -> String {
    let talk = try await SeedClient.talk(url, [.text(#"{"history":true}"#)], headers: bearer(token))
    return talk.replies.first?.first?.jsonText ?? ""
  }

  @Test func twoPrincipalsWithTheSameSessionNameNeverSeeEachOther() async throws {
    let alice = try await Self.makeToken("alice")
    let bob = try await Self.makeToken("bob")
    #expect(alice.token != bob.token && alice.token.hasPrefix("tgpt_") && alice.token.count == 48)
    let directory = Harness.scratchDirectory()
    let tokens = directory.appendingPathComponent("tokens").path
    try "# the team\n\(alice.line)\n\n\(bob.line)  # bob\n".write(toFile: tokens, atomically: true, encoding: .utf8)
    let env = Harness.environment()
    let server = try await BridgeServerProcess.start(["--tokens", tokens], env: env)
    defer { server.terminate() }

    // The probe of the issue: alice's secret, then bob on the same path asking for history,
    // and a client that writes another principal into its message.
    let said = try await SeedClient.talk(
      server.ws("work"), [.text(#"{"message":"my card PIN is 4921","system":"You are Alice's assistant"}"#)],
      headers: Self.bearer(alice.token))
    #expect(said.replies.first?.last?.type == "complete")
    let bobs = try await Self.history(server.ws("work"), bob.token)
    #expect(bobs.contains(#""type":"history""#) && !bobs.contains("4921") && !bobs.contains("Alice"), "\(bobs)")
    let forged = try await SeedClient.talk(
      server.ws("work"), [.text(#"{"message":"sneaky","principal":"alice"}"#)], headers: Self.bearer(bob.token))
    #expect(forged.replies.first?.last?.type == "complete")
    let alices = try await Self.history(server.ws("work"), alice.token)
    #expect(alices.contains("4921") && !alices.contains("sneaky"), "\(alices)")
    let posted = try await Harness.shell(
      "curl -s -H 'Authorization: Bearer \(bob.token)' -X POST -d '{\"message\":\"by http\"}' \(server.baseURL)/chat/work"
    )
    #expect(try JSON.parse(posted.text)["content"]?.stringValue == "by http")
    #expect(try await Self.history(server.ws("work"), bob.token).contains("by http"))
    #expect(try await !Self.history(server.ws("work"), alice.token).contains("by http"))

    // The local CLI names a principal; the default one has no sessions of theirs.
    let listed = try await Harness.run("tgpt-session", ["list", "--principal", "alice"], env: env)
    #expect(listed.status == 0 && listed.text.contains("work"), "\(listed.text)\(listed.stderr)")
    let shown = try await Harness.run("tgpt-session", ["show", "work", "--principal", "bob"], env: env)
    #expect(shown.text.contains("sneaky") && !shown.text.contains("4921"), "\(shown.text)")
    let local = try await Harness.run("tgpt-session", ["list"], env: env)
    #expect(local.status == 0 && !local.text.contains("work"), "\(local.text)")

    // A wrong token, and one not yet in the file, are refused; after SIGHUP the new one works.
    let carol = try await Self.makeToken("carol")
    let early = try await Harness.run("tgpt-ws-bridge", ["--token", carol.token, server.ws("c")], stdin: "hi\n")
    #expect(early.status == 77, "\(early.stderr)")
    try "\(alice.line)\n\(bob.line)\n\(carol.line)\n".write(toFile: tokens, atomically: true, encoding: .utf8)
    server.process.signal(SIGHUP)
    var late = try await Harness.run("tgpt-ws-bridge", ["--token", carol.token, server.ws("c")], stdin: "hi\n")
    while late.status == 77 {
      try await Task.sleep(for: .milliseconds(50))
      late = try await Harness.run("tgpt-ws-bridge", ["--token", carol.token, server.ws("c")], stdin: "hi\n")
    }
    #expect(late.status == 0 && late.answer == "hi", "\(late.stderr)")
    // A bad file keeps the principals as they were.
    try "carol not-a-digest\n".write(toFile: tokens, atomically: true, encoding: .utf8)
    server.process.signal(SIGHUP)
    while !server.stderr.contains("kept the principals as they were") { try await Task.sleep(for: .milliseconds(50)) }
    let kept = try await Harness.run("tgpt-ws-bridge", ["--token", carol.token, server.ws("c")], stdin: "hi\n")
    #expect(kept.status == 0, "\(kept.stderr)")
    #expect(server.stderr.contains("line 1"), "\(server.stderr)")
  }

  @Test func healthAndMetricsAnswerLoopbackAndTokensButNotWhatAProxyForwards() async throws {
    let alice = try await Self.makeToken("alice")
    let tokens = Harness.scratchDirectory().appendingPathComponent("tokens").path
    try "\(alice.line)\n".write(toFile: tokens, atomically: true, encoding: .utf8)
    let server = try await BridgeServerProcess.start(["--tokens", tokens])
    defer { server.terminate() }
    func status(_ path: String, _ headers: String = "") async throws -> String {
      try await Harness.shell("curl -s -o /dev/null -w '%{http_code}' \(headers) \(server.baseURL)\(path)").text
    }
    // The chat program's first half second is "starting" (503): past it, /healthz says 200.
    _ = try await Harness.eventually("the child running") { try await status("/healthz") == "200" }
    let forwarded = "-H 'X-Forwarded-For: 203.0.113.9'"
    for path in ["/healthz", "/metrics"] {
      #expect(try await status(path) == "200", "loopback: \(path)")
      #expect(try await status(path, forwarded) == "401", "forwarded by a proxy: \(path)")
      #expect(try await status(path, "-H 'Forwarded: for=203.0.113.9'") == "401")
      #expect(try await status(path, forwarded + " -H 'Authorization: Bearer \(alice.token)'") == "200")
    }
  }

  @Test func aRevokedPrincipalsOpenConnectionIsClosedAtTheReload() async throws {
    let alice = try await Self.makeToken("alice")
    let bob = try await Self.makeToken("bob")
    let tokens = Harness.scratchDirectory().appendingPathComponent("tokens").path
    // Written on Windows: CRLF line ends and a byte-order mark.
    try "\u{FEFF}# team\r\n\(alice.line)\r\n\(bob.line)\r\n".write(toFile: tokens, atomically: true, encoding: .utf8)
    let server = try await BridgeServerProcess.start(["--tokens", tokens, "--log-level", "notice"])
    defer { server.terminate() }
    let bobs = Task {
      try await SeedClient.talk(
        server.ws("b"), [SeedClient.message("hi")], headers: Self.bearer(bob.token), awaitServerClose: true)
    }
    let alices = Task {
      try await SeedClient.talk(
        server.ws("a"), [SeedClient.message("hi")], headers: Self.bearer(alice.token), awaitServerClose: true)
    }
    _ = try await Harness.eventually("both connections open and answered") {
      let metrics = try await Harness.shell("curl -s \(server.baseURL)/metrics").text
      return metrics.contains("tgpt_connections_open 2") && metrics.contains("tgpt_turns_total 2")
    }
    try "\(alice.line)\n".write(toFile: tokens, atomically: true, encoding: .utf8)
    server.process.signal(SIGHUP)
    let cut = try await bobs.value
    #expect(cut.replies.first?.last?.type == "complete")
    #expect(
      cut.close?.closeCode == .policyViolation && cut.close?.reason == "token revoked",
      "\(String(describing: cut.close))")
    // The server logs the reload once it has closed the connections, so maybe after bob saw it.
    #expect(
      try await Harness.eventually("the reload logged") { server.stderr.contains("1 revoked, 1 connections closed") },
      "\(server.stderr)")
    let refused = try await Harness.run("tgpt-ws-bridge", ["--token", bob.token, server.ws("b")], stdin: "hi\n")
    #expect(refused.status == 77)
    // Alice's connection is untouched; the server closes it with 1001 when it stops.
    #expect(await server.stop() == 0)
    #expect(try await alices.value.close?.closeCode == .goingAway)
  }

  @Test func aBadTokensFileStopsTheServerWithTheLineNamed() async throws {
    let tokens = Harness.scratchDirectory().appendingPathComponent("tokens").path
    try "alice tgpt_this-is-the-token-not-its-digest\n".write(toFile: tokens, atomically: true, encoding: .utf8)
    for _ in 0..<2 {
      let result = try await Harness.run("tgpt-ws-bridge", ["serve", "--port", "0", "--tokens", tokens])
      #expect(result.status == 78, "\(result.stderr)")
      #expect(result.stderr.contains("\(tokens) line 1") && result.stderr.contains("not the token itself"))
    }
    try "# nobody yet\n".write(toFile: tokens, atomically: true, encoding: .utf8)
    let empty = try await Harness.run("tgpt-ws-bridge", ["serve", "--port", "0", "--tokens", tokens])
    #expect(empty.status == 78 && empty.stderr.contains("names no principal"), "\(empty.stderr)")
    let stray = try await Harness.run("tgpt-ws-bridge", ["serve", "--port", "0", "--principal-rate", "5"])
    #expect(stray.status == 64 && stray.stderr.contains("give --tokens"), "\(stray.stderr)")
    let missing = try await Harness.run("tgpt-ws-bridge", ["serve", "--port", "0", "--tokens", tokens + ".gone"])
    #expect(missing.status == 78 && missing.stderr.contains("cannot open it"), "\(missing.stderr)")
  }

  @Test func aPrincipalOverItsSessionQuotaIsRefusedAndOthersAreNot() async throws {
    let alice = try await Self.makeToken("alice")
    let bob = try await Self.makeToken("bob")
    let tokens = Harness.scratchDirectory().appendingPathComponent("tokens").path
    try "\(alice.line)\n\(bob.line)\n".write(toFile: tokens, atomically: true, encoding: .utf8)
    // A second a word: alice's first answer is still coming when she asks for a second session.
    let server = try await BridgeServerProcess.start(
      ["--tokens", tokens, "--principal-sessions", "1"],
      child: [Harness.binary("tgpt-session").path, "serve", "--provider", "echo", "--echo-delay-ms", "1000"])
    defer { server.terminate() }
    // Alice holds one session open (a slow answer, streamed) and, once its first words have
    // come, asks for a second.
    let slow = Harness.scratchDirectory().appendingPathComponent("slow").path
    let words = (1...60).map { "w\($0)" }.joined(separator: " ")
    let second = try await Harness.shell(
      """
      curl -sN -m 300 -H 'Authorization: Bearer \(alice.token)' -X POST -d '{"message":"\(words)"}' \
        '\(server.baseURL)/chat/one/stream' > '\(slow)' &
      pid=$!
      for i in $(seq 3000); do grep -q chunk '\(slow)' && break; sleep 0.1; done
      curl -s -w '\\n%{http_code}' -H 'Authorization: Bearer \(alice.token)' -X POST -d '{"message":"x"}' \
        '\(server.baseURL)/chat/two'
      kill $pid
      """
    ).text
    #expect(second.hasSuffix("\n429") && second.contains("over the quota of principal alice"), "\(second)")
    let bobs = try await Harness.shell(
      "curl -s -w '\\n%{http_code}' -H 'Authorization: Bearer \(bob.token)' -X POST -d '{\"message\":\"x\"}' \(server.baseURL)/chat/two"
    ).text
    #expect(bobs.hasSuffix("\n200"), "\(bobs)")
  }
}

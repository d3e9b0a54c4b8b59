import Foundation
import HTTPTypes
import TGPTEvents
import TGPTTestPostgres
import Testing

/// Issue 15's deployment, as docs/GUIDE.md tells it: two `tgpt-ws-bridge serve` behind nginx
/// (round-robin, WebSocket upgrade headers passed on), one PostgreSQL store, a tokens file.
@Suite(.timeLimit(.minutes(10))) struct LoadBalancedBridgeTests {
  struct Deployment {
    let servers: [BridgeServerProcess]
    let proxy: NginxProxy
    let env: [String: String]
    let alice: String
    let bob: String

    func stop() {
      proxy.stop()
      for server in servers { server.terminate() }
    }

    /// `POST /chat/{session}` (or `/stream`, the events as SSE) through the proxy as `token`:
    /// the HTTP status and the body.
    func post(_ session: String, _ message: String, token: String, stream: Bool = false) async throws -> (
      status: Int, body: String
    ) {
      let body = #"{"message":"\#(message)"}"#
      let result = try await Harness.shell(
        "curl -sN -m 120 -w '\\n%{http_code}' -H 'Authorization: Bearer \(token)' -X POST -d '\(body)' "
          + "\(proxy.baseURL)/chat/\(session)\(stream ? "/stream" : "")")
      let lines = result.text.split(separator: "\n", omittingEmptySubsequences: false)
      return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// The session's turns as `tgpt-session export` prints them, read from the store.
    func messages(_ session: String, principal: String) async throws -> [JSON] {
      let export = try await Harness.run("tgpt-session", ["export", session, "--principal", principal], env: env)
      #expect(export.status == 0, "\(export.stderr)")
      return export.text.split(separator: "\n").compactMap { try? JSON.parse(String($0)) }
        .filter { $0["type"]?.stringValue == "message" }
    }

    /// Turns each server's child has answered, from its /metrics (asked directly, on loopback).
    func turnsPerServer() async throws -> [Int] {
      var counts: [Int] = []
      for server in servers {
        let text = try await Harness.shell("curl -s \(server.baseURL)/metrics").text
        let line = text.split(separator: "\n").first { $0.hasPrefix("tgpt_turns_total") }
        counts.append(line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0)
      }
      return counts
    }
  }

  /// Two servers on one PostgreSQL database behind nginx; the echo provider answers a word
  /// every `delayMs`.
  static func deploy(delayMs: Int = 0) async throws -> Deployment {
    let url = try await TestPostgres.database()
    let env = Harness.environment(["TGPT_STORE": url])
    let directory = Harness.scratchDirectory().path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let alice = try await BridgePrincipalTests.makeToken("alice")
    let bob = try await BridgePrincipalTests.makeToken("bob")
    let tokens = directory + "/tokens"
    try "\(alice.line)\n\(bob.line)\n".write(toFile: tokens, atomically: true, encoding: .utf8)
    let child = [
      Harness.binary("tgpt-session").path, "serve", "--provider", "echo", "--echo-delay-ms", String(delayMs),
    ]
    var servers: [BridgeServerProcess] = []
    for _ in 0..<2 {
      servers.append(try await BridgeServerProcess.start(["--tokens", tokens, "--rate", "0"], child: child, env: env))
    }
    let proxy = try await NginxProxy.start(upstreams: servers.map(\.port))
    return Deployment(servers: servers, proxy: proxy, env: env, alice: alice.token, bob: bob.token)
  }

  @Test func theGuidesNginxLocationIsTheOneTested() throws {
    let guide = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/GUIDE.md"), encoding: .utf8)
    #expect(guide.contains(NginxProxy.location), "docs/GUIDE.md's nginx block differs from NginxProxy.location")
  }

  @Test func aSessionGoesOnAcrossServersAndTwoPrincipalsNeverMeet() async throws {
    let deployment = try await Self.deploy()
    defer { deployment.stop() }
    for turn in 1...4 {
      let answer = try await deployment.post("work", "alice turn \(turn)", token: deployment.alice)
      #expect(answer.status == 200, "\(answer.body)")
    }
    // A server counts a turn just after passing its last event on: looked at until it has.
    #expect(
      try await Harness.eventually("two turns on each server") { try await deployment.turnsPerServer() == [2, 2] },
      "round-robin: consecutive messages on different servers")
    let bobs = try await deployment.post("work", "bob here", token: deployment.bob)
    #expect(bobs.status == 200)
    let alices = try await deployment.messages("work", principal: "alice")
    #expect(
      alices.compactMap { $0["content"]?.stringValue } == (1...4).flatMap { ["alice turn \($0)", "alice turn \($0)"] })
    let bobsStored = try await deployment.messages("work", principal: "bob")
    #expect(bobsStored.compactMap { $0["content"]?.stringValue } == ["bob here", "bob here"])
    // Over WebSocket through the proxy: bob's history of work is his own.
    let history = try await BridgePrincipalTests.history(deployment.proxy.ws("work"), deployment.bob)
    #expect(history.contains("bob here") && !history.contains("alice turn"), "\(history)")
  }

  @Test func eightMessagesAtOnceOnOneSessionAreEightWholeTurnsInOrder() async throws {
    // Answers that take a while (a word every 20 ms), so turns sent at once to both servers
    // would overlap were it not for the session's lock in PostgreSQL.
    let deployment = try await Self.deploy(delayMs: 20)
    defer { deployment.stop() }
    let answers = try await withThrowingTaskGroup(of: (status: Int, body: String).self) { group in
      for index in 1...8 {
        group.addTask { try await deployment.post("busy", "message \(index)", token: deployment.alice, stream: true) }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(answers.map(\.status) == Array(repeating: 200, count: 8))
    // One at a time across both servers: each turn saw all those before it, so the turns sent
    // as context are 0, 1, … 7 (two turns at once would have seen the same history).
    let seen = answers.compactMap { answer in
      answer.body.split(separator: "\n").lazy.filter { $0.hasPrefix("data: ") }
        .compactMap { try? JSON.parse(String($0.dropFirst(6))) }
        .first { $0["type"]?.stringValue == "start" }?["turns_sent"]?.intValue
    }
    #expect(seen.sorted() == Array(0...7), "\(seen)")
    #expect(try await deployment.turnsPerServer().allSatisfy { $0 > 0 }, "both servers answered some")
    let messages = try await deployment.messages("busy", principal: "alice")
    #expect(messages.count == 16)
    // Whole turns: each turn is its question then its answer, turns numbered 1…8 in seq order.
    for (index, pair) in stride(from: 0, to: messages.count - 1, by: 2).map({ (messages[$0], messages[$0 + 1]) })
      .enumerated()
    {
      #expect(pair.0["turn"]?.intValue == index + 1 && pair.1["turn"]?.intValue == index + 1)
      #expect(pair.0["role"]?.stringValue == "user" && pair.1["role"]?.stringValue == "assistant")
      #expect(pair.1["status"]?.stringValue == "complete" && pair.0["content"] == pair.1["content"])
    }
    #expect(Set(messages.compactMap { $0["content"]?.stringValue }).count == 8)
  }

  @Test func killingAServerMidAnswerLosesNoHistoryAndTheSessionGoesOn() async throws {
    let deployment = try await Self.deploy(delayMs: 50)
    defer { deployment.stop() }
    #expect(try await deployment.post("kept", "before", token: deployment.alice).status == 200)
    // A long answer (200 words, 10 s) on whichever server the proxy picks; kill -9 that one.
    let long = (1...200).map { "w\($0)" }.joined(separator: " ")
    let cut = Task { try await deployment.post("kept", long, token: deployment.alice) }
    var victim: BridgeServerProcess?
    // In flight at the bridge is not yet begun by its child: killed before the question is
    // stored, the turn is never begun (see UnheardTurnTests) and there is no cut answer.
    _ = try await Harness.eventually("the long answer in flight on one server, its question stored") {
      for server in deployment.servers {
        let health = try await Harness.shell("curl -s \(server.baseURL)/healthz").text
        if health.contains(#""in_flight":1"#) { victim = server }
      }
      guard victim != nil else { return false }
      return try await deployment.messages("kept", principal: "alice").contains { $0["content"]?.stringValue == long }
    }
    let killed = try #require(victim)
    _ = await killed.stop(SIGKILL)
    _ = try await cut.value
    let after = try await deployment.post("kept", "after", token: deployment.alice)
    #expect(after.status == 200, "the other server answers: \(after.body)")
    let contents = try await deployment.messages("kept", principal: "alice").compactMap { $0["content"]?.stringValue }
    #expect(contents.prefix(2) == ["before", "before"], "\(contents)")
    #expect(contents.count == 6 && contents[2] == long, "the cut turn's question is kept: \(contents)")
    #expect(contents.suffix(2) == ["after", "after"], "\(contents)")
  }
}

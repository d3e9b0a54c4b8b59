import Foundation
import NIOWebSocket
import TGPTEvents
import Testing
import WSCore

/// tgpt-ws-bridge end to end: a real server process relaying to tgpt-session serve with the
/// echo provider, real WebSocket connections on loopback.
@Suite(.timeLimit(.minutes(10))) struct BridgeEndToEndTests {
  @Test func aSeedClientTheBridgeClientAndRenderAllGetTheWholeAnswer() async throws {
    let server = try await BridgeServerProcess.start()
    defer { server.terminate() }
    let seed = try await SeedClient.talk(server.ws("sky"), [SeedClient.message("Why is the sky blue?")])
    let events = try #require(seed.replies.first)
    #expect(events.last?.type == "complete")
    #expect(
      events.compactMap { if case .chunk(let c) = $0.payload { c.content } else { nil } }.joined()
        == "Why is the sky blue?")
    #expect(seed.close?.closeCode == .normalClosure)

    let rendered = try await Harness.shell(
      "echo 'the whole answer, every word' | tgpt-ws-bridge \(server.ws("sky")) | tgpt-render")
    #expect(rendered.status == 0)
    #expect(rendered.text == "the whole answer, every word\n")

    // The third connection on the session sees the two turns before it.
    let third = try await Harness.run("tgpt-ws-bridge", [server.ws("sky")], stdin: "and now?\n")
    #expect(third.status == 0)
    guard case .start(let start)? = third.events.first?.payload else { Issue.record("no start event"); return }
    #expect(start.turnsSent == 2)
    #expect(third.events.allSatisfy { $0.id == "m1" && $0.sessionID == "sky" })
  }

  @Test func checkPassesAgainstOurServerAndBenchCompletesEveryMessage() async throws {
    // A load test is many clients from one address: past the per-address rate it would be refused.
    let server = try await BridgeServerProcess.start(["--rate", "0"])
    defer { server.terminate() }
    let base = "ws" + server.baseURL.dropFirst(4)
    let check = try await Harness.run("tgpt-ws-bridge", ["check", base])
    #expect(check.status == 0, "\(check.text)")
    #expect(check.text.contains("PASS streaming_response") && !check.text.contains("FAIL"))
    #expect(check.text.split(separator: "\n").last == "8 passed, 0 failed")
    let bench = try await Harness.run(
      "tgpt-ws-bridge", ["bench", base, "--sessions", "100", "--messages", "5", "--json"])
    #expect(bench.status == 0, "\(bench.stderr)")
    let figures = try JSON.parse(bench.text)
    #expect(figures["completed"]?.intValue == 500 && figures["failed_connections"]?.intValue == 0)
  }

  @Test func badInputGetsAnErrorEventAndTheConnectionGoesOn() async throws {
    let server = try await BridgeServerProcess.start(["--max-message-bytes", "1000"])
    defer { server.terminate() }
    let good = SeedClient.message("still here")
    let talk = try await SeedClient.talk(
      server.ws("bad"),
      [
        .text("{not json"), good, .text(#"{"message":""}"#), .text(#"{"text":"no message"}"#), .binary([1, 2, 3]),
        SeedClient.message(String(repeating: "x", count: 5000)), good,
      ])
    let terminals = talk.replies.map { $0.last }
    #expect(terminals.count == 7)
    for index in [0, 2, 3, 4, 5] {
      guard case .error(let failure)? = terminals[index]?.payload else {
        Issue.record("send \(index) was not answered with an error")
        continue
      }
      #expect(failure.code == .badInput)
    }
    #expect(terminals[1]?.type == "complete" && terminals[6]?.type == "complete")
    #expect(talk.close?.closeCode == .normalClosure)

    // A frame over the frame limit (max(1 MiB, 2 × the message limit)) ends the connection with 1009.
    let huge = try await SeedClient.talk(server.ws("bad"), [SeedClient.message(String(repeating: "y", count: 2 << 20))])
    #expect(huge.close?.closeCode == .messageTooLarge)
  }

  @Test func aCancelThroughTheBridgeStopsTheAnswerAndTheHistoryShowsIt() async throws {
    let session = Harness.binary("tgpt-session").path
    // The fake holds the answer after three words until the client leaves: the cancel always
    // meets it in progress.
    let holding = ["--provider", "openrouter", "--base-url", try await FakeProviderServer.shared.url("stall-after=3")]
    let server = try await BridgeServerProcess.start(
      child: [session, "serve"] + holding + ["--idle-timeout", "3600"],
      env: Harness.environment(["OPENROUTER_API_KEY": "test-key"]))
    defer { server.terminate() }
    let words = (1...60).map { "w\($0)" }.joined(separator: " ")
    // The cancel goes out once the answer has started; the client owes no answer for it, so
    // stdin's end still ends the run once the message and the history are answered.
    let result = try await Harness.midAnswer(
      "tgpt-ws-bridge \(server.ws("cancelled"))", first: #"{"message":"\#(words)","id":"m"}"#,
      then: [#"{"cancel":"m","reason":"stopped by the test"}"#, #"{"history":true,"id":"h"}"#])
    #expect(result.status == 130, "the first error was interrupted: \(result.stderr)")
    let events = result.events
    let stopped = events.filter { $0.id == "m" && $0.isTerminal }
    #expect(stopped.count == 1)
    guard case .error(let failure)? = stopped.first?.payload else {
      Issue.record("m was not stopped: \(result.text)")
      return
    }
    #expect(failure.code == .interrupted && failure.partial && failure.message == "stopped by the test")
    #expect(result.answer.hasPrefix("w1 ") && !result.answer.contains("w60"), "\(result.text)")
    let history = try #require(events.first { $0.type == "history" && $0.id == "h" })
    guard case .other(_, let fields) = history.payload, case .array(let messages)? = fields["messages"] else {
      Issue.record("no messages in \(history)")
      return
    }
    #expect(fields["session"]?["id"]?.stringValue == "cancelled")
    #expect(messages.map { $0["status"]?.stringValue } == ["complete", "interrupted"])
    #expect(events.last?.type == "complete" && events.last?.id == "h")
  }

  @Test func aOneMegabyteEventReachesTheBridgeClient() async throws {
    let server = try await BridgeServerProcess.start(["--max-message-bytes", "2000000"])
    defer { server.terminate() }
    // The echo provider answers a word as one chunk: one event of a megabyte.
    let word = String(repeating: "w", count: 1 << 20)
    let result = try await Harness.run("tgpt-ws-bridge", [server.ws("big")], stdin: #"{"message":"\#(word)"}"# + "\n")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.answer == word)
  }

  @Test func anAnswerCutShortAfterAnEndMarkerReachesTheClientAsAnError() async throws {
    let env = Harness.environment(["OPENROUTER_API_KEY": "test-key"])
    let base = try await FakeProviderServer.shared.url("nofinish")
    let server = try await BridgeServerProcess.start(
      child: [Harness.binary("tgpt-session").path, "serve", "--provider", "openrouter", "--base-url", base], env: env)
    defer { server.terminate() }
    let result = try await Harness.run("tgpt-ws-bridge", [server.ws("cut")], stdin: "one two three\n")
    #expect(result.status == 69, "\(result.stderr)")
    Harness.expectInvariants(result, answer: "one two three")
    #expect(result.failure?.code == .unavailable && result.failure?.partial == true)
    // The child records the turn after sending its last event: stopped, it has.
    #expect(await server.stop() == 0)
    let stored = try await Harness.run("tgpt-session", ["show", "--json", "cut"], env: env)
    let answers = try stored.text.split(separator: "\n").map { try JSON.parse(String($0)) }.filter {
      $0["role"]?.stringValue == "assistant"
    }
    #expect(answers.map { $0["status"]?.stringValue } == ["partial"], "never stored as complete")
  }
}

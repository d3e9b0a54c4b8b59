import Foundation
import TGPTEvents
import Testing

/// What a new user meets first with tgpt-ws-bridge: the address serve prints works as the
/// client's URL, refusals say why on stderr, bad TLS files are named at start, and check and
/// bench leave the server's store as they found it.
@Suite(.timeLimit(.minutes(10))) struct BridgeNewcomerTests {
  @Test func theAddressServePrintsIsAClientURL() async throws {
    let server = try await BridgeServerProcess.start()
    defer { server.terminate() }
    // As printed (http://…), no session: one is made and named on stderr, on a line of its own.
    let fresh = try await Harness.run("tgpt-ws-bridge", [server.baseURL], stdin: "hi\n")
    #expect(fresh.status == 0, "\(fresh.stderr)")
    let made = try #require(fresh.stderr.split(separator: "\n").first { $0.hasPrefix("tgpt-ws-bridge: session: ") })
    let id = String(made.dropFirst("tgpt-ws-bridge: session: ".count))
    #expect(SessionIDRule.isValid(id))
    #expect(fresh.answer == "hi" && fresh.events.allSatisfy { $0.sessionID == id })
    // ws:// with -s, then the whole path: the same session goes on.
    let first = try await Harness.run("tgpt-ws-bridge", [server.wsBase, "-s", "work"], stdin: "one\n")
    #expect(first.status == 0 && first.stderr.isEmpty, "\(first.stderr)")
    let second = try await Harness.run("tgpt-ws-bridge", [server.ws("work")], stdin: "two\n")
    guard case .start(let start)? = second.events.first?.payload else {
      Issue.record("no start event: \(second.text)")
      return
    }
    #expect(start.turnsSent == 1 && second.answer == "two")
    let both = try await Harness.run("tgpt-ws-bridge", [server.ws("work"), "--session", "other"], stdin: "x\n")
    #expect(both.status == 64 && both.stderr.contains("already names session 'work'"), "\(both.stderr)")
  }

  @Test func aRefusedUpgradeSaysItsStatusAndWhatToDo() async throws {
    let server = try await BridgeServerProcess.start()
    defer { server.terminate() }
    let wrongPath = try await Harness.run("tgpt-ws-bridge", [server.wsBase + "/chat"], stdin: "hi\n")
    #expect(wrongPath.status == 69)
    #expect(wrongPath.stderr.contains("HTTP 400 Bad Request"), "\(wrongPath.stderr)")
    #expect(wrongPath.stderr.contains("no chat at /chat") && wrongPath.stderr.contains("/ws/chat/{session_id}"))

    let guarded = try await BridgeServerProcess.start(["--token", "s3cret"])
    defer { guarded.terminate() }
    let refused = try await Harness.run("tgpt-ws-bridge", [guarded.wsBase, "-s", "t"], stdin: "hi\n")
    #expect(refused.status == 77)
    #expect(refused.failure?.code == .auth, "the event is still on stdout")
    #expect(
      refused.stderr.contains("tgpt-ws-bridge: error: the server refused the connection to \(guarded.wsBase)")
        && refused.stderr.contains("missing or wrong bearer token") && refused.stderr.contains("--token"),
      "\(refused.stderr)")
  }

  @Test func aMissingOrInvalidTLSFileIsNamedBeforeListening() async throws {
    let directory = Harness.scratchDirectory()
    let garbage = directory.appendingPathComponent("garbage.pem")
    try Data("not a certificate\n".utf8).write(to: garbage)
    let missing = directory.appendingPathComponent("missing.pem").path
    for (arguments, named) in [
      (["--tls-cert", missing, "--tls-key", garbage.path], "--tls-cert \(missing): no such file or directory"),
      (["--tls-cert", garbage.path, "--tls-key", garbage.path], "--tls-cert \(garbage.path): not a PEM certificate"),
      (["--tls-cert", directory.path, "--tls-key", garbage.path], "--tls-cert \(directory.path): is a directory"),
    ] {
      let result = try await Harness.run("tgpt-ws-bridge", ["serve", "--port", "0"] + arguments)
      #expect(result.status == 78, "\(arguments): \(result.stderr)")
      #expect(result.stderr.hasPrefix("tgpt-ws-bridge: error: \(named)"), "\(result.stderr)")
      #expect(result.text.isEmpty, "it never listened (no address printed)")
    }
  }

  @Test func checkAndBenchLeaveNoSessionsInTheStore() async throws {
    let env = Harness.environment()
    let server = try await BridgeServerProcess.start(["--rate", "0"], env: env)
    defer { server.terminate() }
    let kept = try await Harness.run("tgpt-ws-bridge", [server.wsBase, "-s", "kept"], stdin: "mine\n", env: env)
    #expect(kept.status == 0)
    let check = try await Harness.run("tgpt-ws-bridge", ["check", server.wsBase], env: env)
    #expect(check.status == 0 && check.stderr.isEmpty, "\(check.text) \(check.stderr)")
    let bench = try await Harness.run(
      "tgpt-ws-bridge", ["bench", server.wsBase, "--sessions", "20", "--messages", "2", "--json"], env: env)
    #expect(bench.status == 0 && bench.stderr.isEmpty, "\(bench.stderr)")
    #expect(try JSON.parse(bench.text)["sessions_left"]?.intValue == 0)
    let list = try await Harness.run("tgpt-session", ["list", "--json"], env: env)
    let ids = list.text.split(separator: "\n").compactMap { try? JSON.parse(String($0))["id"]?.stringValue }
    #expect(ids == ["kept"], "what check and bench made is gone, the rest is kept: \(list.text)")
  }

  @Test func checkAndBenchTakeTheAddressesTheClientTakes() async throws {
    let env = Harness.environment()
    let server = try await BridgeServerProcess.start(["--rate", "0"], env: env)
    defer { server.terminate() }
    // As serve prints it (http://…).
    let check = try await Harness.run("tgpt-ws-bridge", ["check", server.baseURL], env: env)
    #expect(check.status == 0 && check.stderr.isEmpty, "\(check.text) \(check.stderr)")
    #expect(check.text.hasSuffix("8 passed, 0 failed\n"), "\(check.text)")
    // A whole chat URL is read as its base, and the user is told; the session it names is left alone.
    let named = try await Harness.run(
      "tgpt-ws-bridge", ["check", server.ws("mine"), "--test", "streaming_response"], env: env)
    #expect(named.status == 0, "\(named.text) \(named.stderr)")
    #expect(
      named.stderr == "tgpt-ws-bridge: the URL names session 'mine', which check leaves alone: "
        + "it makes sessions of its own under \(server.wsBase)\n")
    let bench = try await Harness.run(
      "tgpt-ws-bridge", ["bench", server.wsBase + "/ws/chat", "--sessions", "2", "--messages", "1"], env: env)
    #expect(bench.status == 0 && bench.stderr.isEmpty, "\(bench.text) \(bench.stderr)")
    let list = try await Harness.run("tgpt-session", ["list", "--json"], env: env)
    #expect(list.text.isEmpty, "no session was made or left: \(list.text)")
    let wrong = try await Harness.run("tgpt-ws-bridge", ["bench", "127.0.0.1:\(server.port)"], env: env)
    #expect(wrong.status == 64 && wrong.stderr.contains("not a WebSocket URL: 127.0.0.1:"), "\(wrong.stderr)")
  }

  @Test func aWrongTokenStopsCheckAndBenchWithExit77AndNoLeftoverWarning() async throws {
    let server = try await BridgeServerProcess.start(["--token", "s3cret", "--rate", "0"])
    defer { server.terminate() }
    for arguments in [["check", server.baseURL], ["bench", server.wsBase, "--sessions", "3", "--messages", "2"]] {
      let result = try await Harness.run("tgpt-ws-bridge", arguments + ["--token", "wrong"])
      #expect(result.status == 77, "\(arguments): \(result.text) \(result.stderr)")
      #expect(
        result.stderr
          == "tgpt-ws-bridge: error: the server refused the connection to \(server.wsBase): "
          + "missing or wrong bearer token; check --token or TGPT_WS_TOKEN\n",
        "one line, no warning of sessions left: \(result.stderr)")
    }
    let check = try await Harness.run("tgpt-ws-bridge", ["check", server.baseURL, "--token", "wrong"])
    #expect(check.text.hasSuffix("1 passed, 1 failed\n"), "it stops at the refusal: \(check.text)")
  }

  @Test func aProvidersAuthErrorIsNoRefusedToken() async throws {
    // No key for the provider: every message gets an error event with code auth, the
    // connection goes on (unlike a refused token's).
    let server = try await BridgeServerProcess.start(
      ["--token", "s3cret", "--rate", "0"],
      child: [Harness.binary("tgpt-session").path, "serve", "--provider", "openrouter"])
    defer { server.terminate() }
    let bench = try await Harness.run(
      "tgpt-ws-bridge", ["bench", server.wsBase, "--sessions", "2", "--messages", "2", "--token", "s3cret", "--json"])
    #expect(bench.status == 1, "\(bench.text) \(bench.stderr)")
    #expect(bench.stderr.isEmpty, "no refusal, no sessions left: \(bench.stderr)")
    #expect(try JSON.parse(bench.text)["events"]?.intValue == 4)

    // The client says so on stderr without blaming the token.
    let client = try await Harness.run(
      "tgpt-ws-bridge", [server.wsBase, "-s", "a", "--token", "s3cret"], stdin: "hi\n")
    #expect(client.status == 77, "\(client.stderr)")
    #expect(client.stderr.contains("the server could not answer: no API key"), "\(client.stderr)")
    #expect(!client.stderr.contains("--token"), "\(client.stderr)")
  }

  @Test func benchStoppedByCtrlCStillDeletesItsSessions() async throws {
    let env = Harness.environment()
    // Slow answers, so the run is stopped in the middle of them.
    let server = try await BridgeServerProcess.start(
      ["--rate", "0"],
      child: [Harness.binary("tgpt-session").path, "serve", "--provider", "echo", "--echo-delay-ms", "100"],
      env: env)
    defer { server.terminate() }
    let result = try await Harness.shell(
      """
      tgpt-ws-bridge bench \(server.wsBase) --sessions 5 --messages 3 --words 50 & bench=$!
      until tgpt-session list --json | grep -q '"bench-'; do sleep 0.05; done
      kill -INT $bench; wait $bench; echo "status $?"
      tgpt-session list --json
      """, env: env)
    #expect(result.text.contains("status 130\n"), "\(result.text) \(result.stderr)")
    #expect(!result.text.contains("bench-"), "the sessions were deleted: \(result.text)")
    #expect(result.stderr.contains("stopping; deleting the sessions made"))
  }
}

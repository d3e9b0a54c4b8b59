import Foundation
import TGPTEvents
import Testing

/// Issue 12: `tgpt-ws-bridge serve` under faults — a child that dies, cannot write its store,
/// is stopped, or sends more than the relay carries. Loopback only; nothing waits for a moment
/// in time. Helpers are `BridgeUnderAttackTests`'.
@Suite(.timeLimit(.minutes(10))) struct BridgeFaultTests {
  @Test func aHistoryTooLongToRelayIsAnErrorNotSilence() async throws {
    let home = Harness.scratchDirectory()
    let env = Harness.environment(home: home)
    // Three answers of 3 MiB: a history event of over 9 MiB, past the relay's 8 MiB a line.
    let big = String(repeating: "x", count: 3 << 20)
    var lines = [#"{"type":"session","id":"huge","turns":3,"created_at":1,"updated_at":1}"#]
    for turn in 1...3 {
      lines.append(
        #"{"type":"message","seq":\#(turn * 2 - 1),"turn":\#(turn),"role":"user","content":"q","status":"complete","created_at":1}"#
      )
      lines.append(
        #"{"type":"message","seq":\#(turn * 2),"turn":\#(turn),"role":"assistant","content":"\#(big)","status":"complete","created_at":1}"#
      )
    }
    let imported = try await Harness.run(
      "tgpt-session", ["import"], stdin: lines.joined(separator: "\n") + "\n", env: env)
    #expect(imported.status == 0, "\(imported.stderr)")
    let server = try await BridgeServerProcess.start(env: env)
    defer { server.terminate() }
    let result = try await Harness.run(
      "tgpt-ws-bridge", [server.ws("huge")], stdin: #"{"history":true,"id":"h"}"# + "\n")
    let ended = result.events.filter { $0.id == "h" && $0.isTerminal }
    #expect(ended.count == 1 && ended.first?.type == "error", "\(result.text.prefix(500))")
    #expect(result.failure?.message.contains("over the relay's limit of 8 MiB") == true)
    #expect(result.status != 0)
  }

  @Test func aChildKilledMidAnswerEndsItsTurnAsPartialAndTheTextSentIsStored() async throws {
    let env = Harness.environment(["OPENROUTER_API_KEY": "test-key"])
    let server = try await BridgeUnderAttackTests.holdingServer(env: env)
    defer { server.terminate() }
    // The child is killed once the three words it sent are in the store.
    let result = try await BridgeUnderAttackTests.midAnswer(
      server, session: "killed", env: env,
      then: #"""
        timeout 120 sh -c 'until tgpt-session export killed | grep -q "\"role\":\"assistant\",\"content\":\"w1 w2 w3 \""; do sleep 0.05; done'
        pkill -KILL -P \#(server.process.pid)
        """#)
    let failure = try #require(result.failure, "\(result.text)")
    #expect(failure.code == .unavailable && failure.partial, "\(result.text)")
    #expect(result.answer == "w1 w2 w3 ")
    let answer = try await BridgeUnderAttackTests.storedAnswers(of: "killed", env: env).first
    #expect(answer?["status"]?.stringValue == "interrupted" && answer?["content"]?.stringValue == "w1 w2 w3 ")
  }

  /// A child started again while clients are connected holds none of the server's sockets:
  /// with a copy of a client's connection it kept that connection open after the server
  /// closed it, and with the listening socket it kept the port after the server died.
  @Test func aRestartedChildHoldsNoneOfTheServersSockets() async throws {
    let home = Harness.scratchDirectory()
    let env = Harness.environment(home: home)
    // Each child lists its descriptors in a file named after its pid (written whole, then
    // renamed), then becomes the chat program the server usually runs.
    let child = [
      "/bin/sh", "-c",
      #"ls -l /proc/$$/fd > "$0/list.$$" && mv "$0/list.$$" "$0/fds.$$" && exec "$1" serve --provider echo"#,
      home.path, Harness.binary("tgpt-session").path,
    ]
    let server = try await BridgeServerProcess.start(child: child, env: env)
    defer { server.terminate() }
    func listings() -> [String] {
      ((try? FileManager.default.contentsOfDirectory(atPath: home.path)) ?? []).filter { $0.hasPrefix("fds.") }
    }
    #expect(try await Harness.eventually("the first child's listing") { listings().count == 1 })
    let client = try RawWebSocket(port: UInt16(server.port), path: "/ws/chat/held")
    try client.readResponseHead()
    let first = try #require(listings().first.flatMap { pid_t($0.dropFirst("fds.".count)) })
    #expect(kill(first, SIGKILL) == 0)
    #expect(try await Harness.eventually("the second child's listing") { listings().count == 2 })
    for name in listings() {
      let listing = try String(contentsOfFile: home.appendingPathComponent(name).path, encoding: .utf8)
      #expect(!listing.contains("socket:"), "\(name): \(listing)")
    }
    withExtendedLifetime(client) {}
  }

  @Test func healthSays503WhileTheChildIsDown() async throws {
    let server = try await BridgeServerProcess.start(child: ["/bin/sh", "-c", "exit 3"])
    defer { server.terminate() }
    #expect(
      try await Harness.eventually("healthz reports the child down") {
        let health = try await BridgeUnderAttackTests.curl([server.baseURL + "/healthz"])
        return health.status == "503" && health.body.contains(#""child":"restarting""#)
          && health.body.contains(#""last_exit":3"#)
      })
  }

  @Test(.enabled(if: getuid() == 0, "runs the child as nobody: needs root"))
  func aChildThatCannotWriteItsStoreIsRestartedUntilItCan() async throws {
    // The child runs as nobody (root writes any file), on a store it may read but not write.
    let home = Harness.scratchDirectory()
    let env = Harness.environment(home: home)
    let made = try await Harness.run("tgpt-session", ["-s", "ro", "--provider", "echo", "first"], env: env)
    #expect(made.status == 0, "\(made.stderr)")
    let data = home.appendingPathComponent("data")
    let database = try #require(
      try FileManager.default.contentsOfDirectory(atPath: data.path).first { $0.hasSuffix(".db") })
    let file = data.appendingPathComponent(database).path
    #expect(chmod(file, 0o444) == 0)
    _ = try await Harness.shell("chown -R 65534:65534 '\(home.path)'")
    let server = try await BridgeServerProcess.start(
      child: [
        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", Harness.binary("tgpt-session").path, "serve",
        "--provider", "echo",
      ], env: env)
    defer { server.terminate() }
    #expect(
      try await Harness.eventually("healthz reports the child down") {
        try await BridgeUnderAttackTests.curl([server.baseURL + "/healthz"]).status == "503"
      })
    #expect(chmod(file, 0o644) == 0)
    // A child started before the store was fixed may still be on its way out: ask until one
    // started after answers.
    #expect(
      try await Harness.eventually("an answer once the store is writable") {
        let answered = try await Harness.run("tgpt-ws-bridge", [server.ws("ro")], stdin: "second\n")
        return answered.status == 0 && answered.answer == "second"
      })
    #expect(try await BridgeUnderAttackTests.curl([server.baseURL + "/healthz"]).status == "200")
  }

  @Test func sigtermPastTheDrainTimeoutInterruptsTurnsAndTheChildStoresThem() async throws {
    let env = Harness.environment(["OPENROUTER_API_KEY": "test-key"])
    let server = try await BridgeUnderAttackTests.holdingServer(["--drain-timeout", "1"], env: env)
    defer { server.terminate() }
    let result = try await BridgeUnderAttackTests.midAnswer(
      server, session: "drained", env: env, then: "kill -TERM \(server.process.pid)")
    let ended = result.events.filter { $0.id == "m" && $0.isTerminal }
    #expect(ended.count == 1, "\(result.text)")
    #expect(result.failure?.code == .interrupted && result.failure?.partial == true, "\(result.text)")
    #expect(await server.process.exitStatus() == 0)
    let answer = try await BridgeUnderAttackTests.storedAnswers(of: "drained", env: env).first
    #expect(answer?["status"]?.stringValue == "interrupted")
    #expect(answer?["content"]?.stringValue?.hasPrefix("w1 ") == true, "the partial answer was stored")
  }
}

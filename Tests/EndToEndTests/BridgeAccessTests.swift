import Foundation
import HTTPTypes
import NIOWebSocket
import TGPTEvents
import Testing
import WSCore

/// tgpt-ws-bridge serve: tokens, origins, the HTTP routes, a crashing child, a client that does
/// not read, and SIGTERM.
@Suite(.timeLimit(.minutes(10))) struct BridgeAccessTests {
  @Test func tokensAndOrigins() async throws {
    let server = try await BridgeServerProcess.start(["--token", "s3cret", "--allow-origin", "https://good.example"])
    defer { server.terminate() }
    let refused = try await Harness.run("tgpt-ws-bridge", [server.ws("t")], stdin: "hi\n")
    #expect(refused.status == 77, "\(refused.stderr)")
    #expect(refused.failure?.code == .auth)
    let byEnvironment = try await Harness.run(
      "tgpt-ws-bridge", [server.ws("t")], stdin: "hi\n", env: Harness.environment(["TGPT_WS_TOKEN": "s3cret"]))
    #expect(byEnvironment.status == 0 && byEnvironment.answer == "hi")
    let byQuery = try await Harness.run("tgpt-ws-bridge", [server.ws("t") + "?token=s3cret"], stdin: "hi\n")
    #expect(byQuery.status == 0 && byQuery.answer == "hi")
    let wrong = try await Harness.run("tgpt-ws-bridge", ["--token", "s3cre", server.ws("t")], stdin: "hi\n")
    #expect(wrong.status == 77)

    func upgrade(origin: String) async throws -> String {
      try await UpgradeProbe.status(
        port: server.port, path: "/ws/chat/t", headers: ["Origin": origin, "Authorization": "Bearer s3cret"])
    }
    #expect(try await upgrade(origin: "https://evil.example") == "400")
    #expect(try await upgrade(origin: "https://good.example") == "101")

    let noToken = try await Harness.shell(
      "curl -s -w '\\n%{http_code}' -X POST -d '{\"message\":\"hi\"}' \(server.baseURL)/chat/t")
    #expect(noToken.text.hasSuffix("\n401"))
    let answered = try await Harness.shell(
      "curl -s -H 'Authorization: Bearer s3cret' -X POST -d '{\"message\":\"hello world\"}' \(server.baseURL)/chat/t")
    let reply = try JSON.parse(answered.text)
    #expect(reply["content"]?.stringValue == "hello world" && reply["model"]?.stringValue == "echo")
    #expect(reply["processing_time_ms"]?.intValue != nil && reply["usage"]?["total_tokens"]?.intValue != nil)
    let streamed = try await Harness.shell(
      "curl -sN -H 'Authorization: Bearer s3cret' -X POST -d '{\"message\":\"a b\"}' \(server.baseURL)/chat/t/stream")
    let data = streamed.text.split(separator: "\n").filter { $0.hasPrefix("data: ") }
    #expect(data.count == 4 && data.last?.contains(#""type":"complete""#) == true)
    #expect(try await Harness.shell("curl -s \(server.baseURL)/healthz").text.contains(#""status":"ok""#))
    let metrics = try await Harness.shell("curl -s -H 'Authorization: Bearer s3cret' \(server.baseURL)/metrics").text
    #expect(metrics.contains("tgpt_connections_refused_total{reason=\"auth\"}"))
    #expect(metrics.contains("tgpt_connections_refused_total{reason=\"origin\"} 1"))
  }

  @Test func aChildCrashingMidAnswerFailsItsTurnAndIsRestarted() async throws {
    let marker = Harness.scratchDirectory().appendingPathComponent("crashed").path
    // The first child answers with a chunk and dies; the next ones are tgpt-session serve.
    let session = Harness.binary("tgpt-session").path
    let script =
      "if [ ! -e \(marker) ]; then touch \(marker); IFS= read -r l; "
      + #"id=$(printf '%s' "$l" | sed 's/.*"id":"\([^"]*\)".*/\1/'); "#
      + #"printf '{"type":"chunk","content":"par","id":"%s"}\n' "$id"; exit 3; fi; "#
      + "exec \(session) serve --provider echo"
    let server = try await BridgeServerProcess.start(child: ["/bin/sh", "-c", script])
    defer { server.terminate() }
    let talk = try await SeedClient.talk(server.ws("c"), [SeedClient.message("first"), SeedClient.message("second")])
    #expect(talk.replies.count == 2)
    guard case .error(let failure)? = talk.replies.first?.last?.payload else {
      Issue.record("the cut-off turn got no error")
      return
    }
    #expect(failure.code == .unavailable && failure.retryable)
    #expect(talk.replies.first?.first?.type == "chunk")
    #expect(talk.replies.last?.last?.type == "complete")
    #expect(talk.close?.closeCode == .normalClosure)
  }

  @Test func sigtermLetsTheTurnInFlightFinishThenClosesWith1001() async throws {
    // The child answers with a chunk, then holds the turn until the test releases it: the
    // SIGTERM provably arrives while the turn is in flight.
    let release = Harness.scratchDirectory().appendingPathComponent("release").path
    let script =
      #"while IFS= read -r l; do id=$(printf '%s' "$l" | sed 's/.*"id":"\([^"]*\)".*/\1/'); "#
      + #"printf '{"type":"chunk","content":"first","id":"%s"}\n' "$id"; "#
      + "until [ -e \(release) ]; do sleep 0.02; done; "
      + #"printf '{"type":"chunk","content":" last","id":"%s"}\n{"type":"complete","processing_time_ms":1,"id":"%s"}\n' "$id" "$id"; done"#
    let server = try await BridgeServerProcess.start(["--log-level", "info"], child: ["/bin/sh", "-c", script])
    defer { server.terminate() }
    let talk = Task {
      try await SeedClient.talk(server.ws("d"), [SeedClient.message("hold on")], awaitServerClose: true)
    }
    _ = try await Harness.eventually("the turn in flight") {
      try await LoopbackHTTP.get(server.baseURL + "/healthz").contains(#""in_flight":1"#)
    }
    server.process.signal(SIGTERM)
    _ = try await Harness.eventually("the drain to start") { server.stderr.contains("draining: 1 turn(s) in flight") }
    _ = FileManager.default.createFile(atPath: release, contents: nil)
    let conversation = try await talk.value
    #expect(conversation.replies.first?.map(\.type) == ["chunk", "chunk", "complete"])
    #expect(conversation.close?.closeCode == .goingAway)
    #expect(await server.process.exitStatus() == 0)
  }
}

@Suite(.timeLimit(.minutes(10))) struct BridgeTLSTests {
  @Test func wssWithAGivenCAAndFailuresThatSayTLS() async throws {
    let dir = Harness.scratchDirectory()
    let made = try await Harness.shell(
      "cd \(dir.path) && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 "
        + "-subj /CN=localhost -addext subjectAltName=DNS:localhost 2>&1")
    try #require(made.status == 0, "\(made.text)")
    let server = try await BridgeServerProcess.start([
      "--tls-cert", dir.appendingPathComponent("cert.pem").path, "--tls-key",
      dir.appendingPathComponent("key.pem").path,
    ])
    defer { server.terminate() }
    #expect(server.baseURL.hasPrefix("https://"))
    // A host name: the client library refuses IP addresses for TLS server name indication.
    let url = "wss://localhost:" + (server.baseURL.split(separator: ":").last ?? "") + "/ws/chat/tls"
    let trusted = try await Harness.run(
      "tgpt-ws-bridge", ["--cacert", dir.appendingPathComponent("cert.pem").path, url], stdin: "over tls\n")
    #expect(trusted.status == 0 && trusted.answer == "over tls", "\(trusted.stderr)")
    let untrusted = try await Harness.run("tgpt-ws-bridge", [url], stdin: "hi\n")
    #expect(untrusted.status == 69)
    #expect(untrusted.stderr.contains("TLS"), "\(untrusted.stderr)")
    let insecure = try await Harness.run("tgpt-ws-bridge", ["--insecure", url], stdin: "hi\n")
    #expect(insecure.status == 0 && insecure.answer == "hi")
  }

  @Test func aTakenPortExits69AndSaysSo() async throws {
    let server = try await BridgeServerProcess.start()
    defer { server.terminate() }
    let port = String(server.baseURL.split(separator: ":").last ?? "")
    let second = try await Harness.run("tgpt-ws-bridge", ["serve", "--port", port, "--", "/bin/cat"])
    #expect(second.status == 69)
    #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(port)"), "\(second.stderr)")
  }

  @Test func aRefusedUpgradeNamesTheHTTPStatus() async throws {
    let server = try await BridgeServerProcess.start()
    defer { server.terminate() }
    let refused = try await Harness.run("tgpt-ws-bridge", [server.ws("bad%20id")], stdin: "hi\n")
    #expect(refused.status == 69)
    #expect(refused.stderr.contains("HTTP 400 Bad Request"), "\(refused.stderr)")
    #expect(refused.stderr.contains("for an invalid session id"), "what makes the server refuse is said")
  }
}

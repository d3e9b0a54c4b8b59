import Foundation
import HTTPTypes
import NIOWebSocket
import TGPTEvents
import Testing

/// tgpt-ws-bridge serve: tokens, origins, the HTTP routes, a crashing child, a client that does
/// not read, and SIGTERM.
@Suite(.timeLimit(.minutes(2))) struct BridgeAccessTests {
  @Test func tokensAndOrigins() async throws {
    let server = try BridgeServerProcess(["--token", "s3cret", "--allow-origin", "https://good.example"])
    defer { server.stop() }
    let refused = try Harness.run("tgpt-ws-bridge", [server.ws("t")], stdin: "hi\n")
    #expect(refused.status == 77, "\(refused.stderr)")
    #expect(refused.failure?.code == .auth)
    let byEnvironment = try Harness.run(
      "tgpt-ws-bridge", [server.ws("t")], stdin: "hi\n", env: Harness.environment(["TGPT_WS_TOKEN": "s3cret"]))
    #expect(byEnvironment.status == 0 && byEnvironment.answer == "hi")
    let byQuery = try Harness.run("tgpt-ws-bridge", [server.ws("t") + "?token=s3cret"], stdin: "hi\n")
    #expect(byQuery.status == 0 && byQuery.answer == "hi")
    let wrong = try Harness.run("tgpt-ws-bridge", ["--token", "s3cre", server.ws("t")], stdin: "hi\n")
    #expect(wrong.status == 77)

    func upgrade(origin: String) throws -> String {
      let key = "dGhlIHNhbXBsZSBub25jZQ=="
      return try Harness.shell(
        "curl -s -m 1 -o /dev/null -w '%{http_code}' -H 'Connection: Upgrade' -H 'Upgrade: websocket' "
          + "-H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: \(key)' -H 'Origin: \(origin)' "
          + "-H 'Authorization: Bearer s3cret' \(server.baseURL)/ws/chat/t"
      ).text
    }
    #expect(try upgrade(origin: "https://evil.example") == "400")
    #expect(try upgrade(origin: "https://good.example") == "101")

    let noToken = try Harness.shell(
      "curl -s -w '\\n%{http_code}' -X POST -d '{\"message\":\"hi\"}' \(server.baseURL)/chat/t")
    #expect(noToken.text.hasSuffix("\n401"))
    let answered = try Harness.shell(
      "curl -s -H 'Authorization: Bearer s3cret' -X POST -d '{\"message\":\"hello world\"}' \(server.baseURL)/chat/t")
    let reply = try JSON.parse(answered.text)
    #expect(reply["content"]?.stringValue == "hello world" && reply["model"]?.stringValue == "echo")
    #expect(reply["processing_time_ms"]?.intValue != nil && reply["usage"]?["total_tokens"]?.intValue != nil)
    let streamed = try Harness.shell(
      "curl -sN -H 'Authorization: Bearer s3cret' -X POST -d '{\"message\":\"a b\"}' \(server.baseURL)/chat/t/stream")
    let data = streamed.text.split(separator: "\n").filter { $0.hasPrefix("data: ") }
    #expect(data.count == 4 && data.last?.contains(#""type":"complete""#) == true)
    #expect(try Harness.shell("curl -s \(server.baseURL)/healthz").text.contains(#""status":"ok""#))
    let metrics = try Harness.shell("curl -s -H 'Authorization: Bearer s3cret' \(server.baseURL)/metrics").text
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
    let server = try BridgeServerProcess(child: ["/bin/sh", "-c", script])
    defer { server.stop() }
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
    let server = try BridgeServerProcess(
      child: [Harness.binary("tgpt-session").path, "serve", "--provider", "echo", "--echo-delay-ms", "100"])
    // SIGTERM once the turn is in flight (the answer takes 0.8 s).
    let stopper = Task {
      while try !LoopbackHTTP.get(server.baseURL + "/healthz").contains(#""in_flight":1"#) {
        try await Task.sleep(for: .milliseconds(20))
      }
      return server.stop(SIGTERM)
    }
    let talk = try await SeedClient.talk(
      server.ws("d"), [SeedClient.message("one two three four five six seven eight")], awaitServerClose: true)
    #expect(talk.replies.first?.last?.type == "complete")
    #expect(talk.replies.first?.count == 10)
    #expect(try await stopper.value == 0)
    #expect(talk.close?.closeCode == .goingAway)
  }
}

@Suite(.timeLimit(.minutes(2))) struct BridgeTLSTests {
  @Test func wssWithAGivenCAAndFailuresThatSayTLS() throws {
    let dir = Harness.scratchDirectory()
    let made = try Harness.shell(
      "cd \(dir.path) && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 "
        + "-subj /CN=localhost -addext subjectAltName=DNS:localhost 2>&1")
    try #require(made.status == 0, "\(made.text)")
    let server = try BridgeServerProcess([
      "--tls-cert", dir.appendingPathComponent("cert.pem").path, "--tls-key",
      dir.appendingPathComponent("key.pem").path,
    ])
    defer { server.stop() }
    #expect(server.baseURL.hasPrefix("https://"))
    // A host name: the client library refuses IP addresses for TLS server name indication.
    let url = "wss://localhost:" + (server.baseURL.split(separator: ":").last ?? "") + "/ws/chat/tls"
    let trusted = try Harness.run(
      "tgpt-ws-bridge", ["--cacert", dir.appendingPathComponent("cert.pem").path, url], stdin: "over tls\n")
    #expect(trusted.status == 0 && trusted.answer == "over tls", "\(trusted.stderr)")
    let untrusted = try Harness.run("tgpt-ws-bridge", [url], stdin: "hi\n")
    #expect(untrusted.status == 69)
    #expect(untrusted.stderr.contains("TLS"), "\(untrusted.stderr)")
    let insecure = try Harness.run("tgpt-ws-bridge", ["--insecure", url], stdin: "hi\n")
    #expect(insecure.status == 0 && insecure.answer == "hi")
  }

  @Test func aTakenPortExits69AndSaysSo() throws {
    let server = try BridgeServerProcess()
    defer { server.stop() }
    let port = String(server.baseURL.split(separator: ":").last ?? "")
    let second = try Harness.run("tgpt-ws-bridge", ["serve", "--port", port, "--", "/bin/cat"])
    #expect(second.status == 69)
    #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(port)"), "\(second.stderr)")
  }

  @Test func aRefusedUpgradeNamesTheHTTPStatus() throws {
    let server = try BridgeServerProcess()
    defer { server.stop() }
    let refused = try Harness.run("tgpt-ws-bridge", [server.ws("bad%20id")], stdin: "hi\n")
    #expect(refused.status == 69)
    #expect(refused.stderr.contains("HTTP/1.1 400"), "\(refused.stderr)")
  }
}

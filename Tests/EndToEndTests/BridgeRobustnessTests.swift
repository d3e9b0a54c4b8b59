import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import TGPTEvents
import Testing

@Suite(.timeLimit(.minutes(10))) struct BridgeRobustnessTests {
  @Test func aClientThatNeverReadsIsClosedAndOthersAreServed() async throws {
    // Pings far apart: a client that never reads never answers them either, and on a loaded
    // machine the ping timeout would close it before the stall is seen, which is under test.
    let server = try await BridgeServerProcess.start(
      ["--stall-timeout", "2", "--rate", "0", "--ping-interval", "3600", "--max-message-bytes", "2097152"])
    defer { server.terminate() }
    let port = try #require(UInt16(server.baseURL.split(separator: ":").last ?? ""))
    // A small receive buffer: the server's writes block long before its queue overflows, the
    // case where only dropping the connection helps. Words of 8 KB (an event each): the
    // server's socket buffer fills after a few hundred events, however slowly they come.
    let stuck = try RawWebSocket(port: port, path: "/ws/chat/stuck", receiveBuffer: 4096)
    let words = (0..<120).map { "w\($0)" + String(repeating: "x", count: 8000) }.joined(separator: " ")
    for _ in 0..<8 { try stuck.sendText(#"{"message":"\#(words)"}"#) }

    let other = try await Harness.run("tgpt-ws-bridge", [server.ws("other")], stdin: "still served\n")
    #expect(other.status == 0 && other.answer == "still served")
    // A probe the loaded server does not answer is not the answer: looked at again.
    func metrics() async -> String { (try? await LoopbackHTTP.get(server.baseURL + "/metrics")) ?? "" }
    let dropped = try await Harness.eventually("the slow client counted") {
      await metrics().contains("tgpt_errors_total{code=\"slow_client\"} 1")
    }
    let lastMetrics = await metrics()
    #expect(dropped, "the server's log: \(server.stderr)\nits metrics: \(lastMetrics)")
    #expect(await stuck.readUntilClosed(seconds: 120), "the stuck connection was not closed")
    let closed = try await Harness.eventually("the stuck connection no longer counted") {
      await metrics().contains("tgpt_connections_open 0\n")
    }
    #expect(closed, "the stuck connection still counts as open")
    let after = try await Harness.run("tgpt-ws-bridge", [server.ws("other")], stdin: "after\n")
    #expect(after.status == 0 && after.answer == "after")
  }

  @Test func checkReportsAServerThatDropsTheConnectionOnBadInput() async throws {
    // Built the naive way: no validation, and anything that is not JSON ends the connection.
    let router = Router(context: BasicWebSocketRequestContext.self)
    router.ws("/ws/chat/{session_id}") { inbound, outbound, _ in
      for try await message in inbound.messages(maxSize: 1 << 22) {
        guard case .text(let text) = message, let json = try? JSON.parse(text) else { return }
        let content = json["message"]?.stringValue ?? ""
        try await outbound.write(.text(Event(.chunk(.init(content: content))).jsonText))
        try await outbound.write(.text(Event(.complete(.init(processingTimeMs: 1))).jsonText))
      }
    }
    let port = PortBox()
    let app = Application(
      router: Router(),
      server: .http1WebSocketUpgrade(webSocketRouter: router, configuration: .init(ws: .init(maxFrameSize: 1 << 22))),
      configuration: .init(address: .hostname("127.0.0.1", port: 0)),
      onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) })
    let running = Task { try await app.run() }
    defer { running.cancel() }
    let bound = await port.value()
    let check = try await Harness.run("tgpt-ws-bridge", ["check", "ws://127.0.0.1:\(bound)"])
    #expect(check.status == 1)
    #expect(check.text.contains("PASS streaming_response"))
    #expect(check.text.contains("FAIL error_handling.invalid_json"))
    #expect(check.text.contains("FAIL error_handling.empty_message"))
    #expect(check.text.contains("FAIL error_handling.invalid_session_id"))
    let json = try await Harness.run(
      "tgpt-ws-bridge", ["check", "ws://127.0.0.1:\(bound)", "--test", "error_handling", "--json"])
    let verdicts = try json.text.split(separator: "\n").map { try JSON.parse(String($0)) }
    #expect(verdicts.count == 5 && verdicts.contains { $0["passed"]?.boolValue == false })
  }
}

/// The port a server bound, handed from its start-up callback to the test.
final class PortBox: Sendable {
  private let port = Guarded(0)
  func set(_ value: Int) { port.withLock { $0 = value } }
  func value() async -> Int {
    while port.withLock({ $0 }) == 0 { try? await Task.sleep(for: .milliseconds(10)) }
    return port.withLock { $0 }
  }
}

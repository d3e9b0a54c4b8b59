import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import TGPTEvents
import Testing

/// A server that fails its first connection after answering one message — before any event of
/// the second (`cutMidAnswer: false`) or after one chunk of it (`true`) — and answers everything
/// on later connections. It counts the messages it received.
final class FlakyServer: Sendable {
  final class Log: Sendable {
    let received = Guarded<[String]>([])
    let connections = Guarded(0)
  }

  let log = Log()
  let port = PortBox()
  private let task: Task<Void, any Error>

  struct Dropped: Error {}

  init(cutMidAnswer: Bool) {
    let router = Router(context: BasicWebSocketRequestContext.self)
    let log = log
    router.ws("/ws/chat/{session_id}") { inbound, outbound, _ in
      let number = log.connections.withLock { count in
        count += 1
        return count
      }
      var answered = 0
      for try await message in inbound.messages(maxSize: 1 << 20) {
        guard case .text(let text) = message, let json = try? JSON.parse(text) else { continue }
        let id = json["id"]?.stringValue
        log.received.withLock { $0.append(json["message"]?.stringValue ?? "") }
        let content = json["message"]?.stringValue ?? ""
        if number == 1, answered == 1 {
          if cutMidAnswer { try await outbound.write(.text(Event(.chunk(.init(content: "par")), id: id).jsonText)) }
          throw Dropped()
        }
        try await outbound.write(.text(Event(.chunk(.init(content: content)), id: id).jsonText))
        try await outbound.write(.text(Event(.complete(.init(processingTimeMs: 1)), id: id).jsonText))
        answered += 1
      }
    }
    let port = port
    let app = Application(
      router: Router(), server: .http1WebSocketUpgrade(webSocketRouter: router),
      configuration: .init(address: .hostname("127.0.0.1", port: 0)),
      onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) })
    task = Task { try await app.run() }
  }

  deinit { task.cancel() }
}

@Suite(.serialized, .timeLimit(.minutes(10))) struct BridgeReconnectTests {
  @Test func unansweredMessagesAreSentAgainAfterAReconnect() async throws {
    let server = FlakyServer(cutMidAnswer: false)
    let url = "ws://127.0.0.1:\(await server.port.value())/ws/chat/r"
    // The two lines must reach the server before it drops the connection: one write of both.
    let result = try await Harness.run(
      "tgpt-ws-bridge", BridgeClientHangTests.patient + ["--reconnect", "3", url], stdin: "first\nsecond\n")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.answer == "firstsecond")
    #expect(result.events.filter(\.isTerminal).map(\.id) == ["m1", "m2"])
    #expect(server.log.received.withLock { $0 } == ["first", "second", "second"])
    #expect(server.log.connections.withLock { $0 } == 2)
    #expect(result.stderr.contains("reconnecting"))
  }

  @Test func anAnswerCutOffMidwayIsNotRepeatedButFailed() async throws {
    let server = FlakyServer(cutMidAnswer: true)
    let url = "ws://127.0.0.1:\(await server.port.value())/ws/chat/r"
    let result = try await Harness.run(
      "tgpt-ws-bridge", BridgeClientHangTests.patient + ["--reconnect", "3", url], stdin: "first\nsecond\n")
    #expect(result.status == 69, "\(result.stderr)")
    guard case .error(let failure)? = result.events.last?.payload else {
      Issue.record("no error event for the cut-off answer")
      return
    }
    #expect(failure.code == .unavailable && failure.partial && result.events.last?.id == "m2")
    #expect(server.log.received.withLock { $0 } == ["first", "second"])
  }

  @Test func withoutReconnectADroppedConnectionExits69() async throws {
    let server = FlakyServer(cutMidAnswer: false)
    let url = "ws://127.0.0.1:\(await server.port.value())/ws/chat/r"
    let result = try await Harness.run("tgpt-ws-bridge", [url], stdin: "first\nsecond\n")
    #expect(result.status == 69)
    #expect(result.stderr.contains("1 answer(s) still owed"), "\(result.stderr)")
  }
}

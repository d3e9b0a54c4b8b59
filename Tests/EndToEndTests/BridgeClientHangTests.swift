import Foundation
import Hummingbird
import HummingbirdWSCompression
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import TGPTEvents
import Testing

/// A WebSocket server on loopback that answers every message in one wrong way, for the
/// client's tests: the faults found by the probe of issue 12.
final class MisbehavingServer: Sendable {
  enum Answer: Sendable {
    /// Upgrades, reads, and never writes (nor pings).
    case nothing
    /// A `complete` for an id the client never sent.
    case completeForAnotherID
    /// One frame that is not an event, then nothing.
    case frame(WebSocketOutboundWriter.OutboundFrame)
    /// With permessage-deflate: a chunk of `bytes` letters in one compressed frame, then the
    /// `complete`.
    case compressedChunk(bytes: Int)
  }

  let port = PortBox()
  private let task: Task<Void, any Error>

  init(_ answer: Answer) {
    let router = Router(context: BasicWebSocketRequestContext.self)
    router.ws("/ws/chat/{session_id}") { inbound, outbound, _ in
      for try await message in inbound.messages(maxSize: 1 << 20) {
        guard case .text(let text) = message, let json = try? JSON.parse(text) else { continue }
        let id = json["id"]?.stringValue
        switch answer {
        case .nothing: continue
        case .completeForAnotherID:
          try await outbound.write(.text(Event(.complete(.init(processingTimeMs: 1)), id: "other").jsonText))
        case .frame(let frame): try await outbound.write(frame)
        case .compressedChunk(let bytes):
          let content = String(repeating: "a", count: bytes)
          try await outbound.write(.text(Event(.chunk(.init(content: content)), id: id).jsonText))
          try await outbound.write(.text(Event(.complete(.init(processingTimeMs: 1)), id: id).jsonText))
        }
      }
    }
    var webSocket = WebSocketServerConfiguration(maxFrameSize: 1 << 24, autoPing: .disabled)
    if case .compressedChunk = answer {
      webSocket = WebSocketServerConfiguration(
        maxFrameSize: 1 << 24, extensions: [.perMessageDeflate()], autoPing: .disabled)
    }
    let port = port
    let app = Application(
      router: Router(), server: .http1WebSocketUpgrade(webSocketRouter: router, configuration: .init(ws: webSocket)),
      configuration: .init(address: .hostname("127.0.0.1", port: 0)),
      onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) })
    task = Task { try await app.run() }
  }

  /// The chat URL of `session` on this server.
  func url(session: String = "s") async -> String { "ws://127.0.0.1:\(await port.value())/ws/chat/\(session)" }

  deinit { task.cancel() }
}

/// `tgpt-ws-bridge URL` against servers that misbehave: it never hangs, and every message ends
/// in exactly one terminal event even when the server never sends one (issue 12, item 5).
@Suite(.timeLimit(.minutes(10))) struct BridgeClientHangTests {
  /// Connecting is not what these tests are about: on a loaded machine the upgrade may take
  /// longer than the default 10 s, and a connect timeout would hide the fault under test.
  static let patient = ["--connect-timeout", "100"]

  /// The error events on stdout, by id.
  static func failures(_ result: Harness.Result) -> [(id: String?, failure: Event.Failure)] {
    result.events.compactMap { event in
      if case .error(let failure) = event.payload { (event.id, failure) } else { nil }
    }
  }

  @Test func aServerThatSaysNothingTimesOut() async throws {
    let server = MisbehavingServer(.nothing)
    let result = try await Harness.run(
      "tgpt-ws-bridge", Self.patient + ["--idle-timeout", "2", await server.url()], stdin: "hello\n", hangGuard: 120)
    #expect(result.status == 75, "\(result.stderr)")
    let failures = Self.failures(result)
    #expect(failures.count == 1 && failures.first?.id == "m1", "\(result.text)")
    #expect(failures.first?.failure.code == .timeout && failures.first?.failure.partial == false)
    Harness.expectInvariants(result)
    #expect(result.stderr.contains("tgpt-ws-bridge: error: no frame from the server for 2 s"), "\(result.stderr)")
    #expect(result.stderr.contains("--idle-timeout"))
  }

  @Test func aCompleteForAnotherIDLeavesTheAnswerOwedUntilTheTimeout() async throws {
    let server = MisbehavingServer(.completeForAnotherID)
    // The stray complete must come before the timeout: a loaded machine (the whole suite at
    // once, MCP servers starting) has taken more than 10 s to answer, hence 30.
    let result = try await Harness.run(
      "tgpt-ws-bridge", Self.patient + ["--idle-timeout", "30", await server.url()], stdin: "hello\n", hangGuard: 180)
    #expect(result.status == 75, "\(result.stderr)")
    // The stray complete is passed on as it came; the answer owed still gets its own end.
    #expect(result.events.map(\.id) == ["other", "m1"], "\(result.text)")
    let failures = Self.failures(result)
    #expect(failures.count == 1 && failures.first?.id == "m1" && failures.first?.failure.code == .timeout)
    #expect(result.stderr.contains("not asked for (id 'other')"), "\(result.stderr)")
    #expect(result.stderr.contains("no frame from the server for 30 s with 1 answer(s) owed"), "\(result.stderr)")
  }

  /// Frames the protocol does not have, each followed by silence: no --idle-timeout is given,
  /// so only reporting the frame itself ends the run (the default timeout is minutes away).
  enum Garbage: String, CaseIterable, Sendable {
    case notJSON, binary, invalidUTF8

    var frame: WebSocketOutboundWriter.OutboundFrame {
      switch self {
      case .notJSON: .text("this is not JSON {")
      case .binary: .binary(ByteBuffer(bytes: [0x7B, 0x0A, 0x00, 0xFF]))
      case .invalidUTF8:
        .custom(
          WebSocketFrame(
            fin: true, opcode: .text,
            data: ByteBuffer(bytes: Array(#"{"type":"chunk","content":""#.utf8) + [0xC3, 0x28, 0x22, 0x7D])))
      }
    }

    /// What the client's message says.
    var reason: String {
      switch self {
      case .notJSON: "a frame that is not a JSON object: 'this is not JSON {'"
      case .binary: "a binary frame (4 bytes)"
      case .invalidUTF8: "a text frame that is not valid UTF-8"
      }
    }
  }

  @Test(arguments: Garbage.allCases) func aFrameThatIsNotAnEventIsAnErrorNotSilence(_ garbage: Garbage) async throws {
    let server = MisbehavingServer(.frame(garbage.frame))
    let result = try await Harness.run(
      "tgpt-ws-bridge", Self.patient + [await server.url()], stdin: "hello\n", hangGuard: 120)
    #expect(result.status == 69, "\(result.stderr)")
    // The frame itself never reaches stdout: only events do.
    let failures = Self.failures(result)
    #expect(result.events.count == 1 && failures.first?.id == "m1", "\(result.text)")
    #expect(failures.first?.failure.code == .unavailable)
    #expect(failures.first?.failure.message.contains(garbage.reason) == true, "\(result.text)")
    #expect(result.stderr.contains("tgpt-ws-bridge: error: the server sent \(garbage.reason)"), "\(result.stderr)")
  }

  @Test func aCompressedMessageOverTheLimitIsAnErrorNotADrop() async throws {
    // 1 MiB of one letter deflates to about a kilobyte: one frame well under the limit, whose
    // message is sixteen times over it once inflated.
    let server = MisbehavingServer(.compressedChunk(bytes: 1 << 20))
    let result = try await Harness.run(
      "tgpt-ws-bridge", Self.patient + ["--max-message-bytes", "65536", await server.url()], stdin: "hello\n",
      hangGuard: 120)
    #expect(result.status == 69, "\(result.stderr)")
    // Not the complete that follows: the answer it would end lost its text.
    let failures = Self.failures(result)
    #expect(result.events.count == 1 && failures.first?.id == "m1", "\(result.text)")
    #expect(failures.first?.failure.code == .unavailable)
    #expect(
      result.stderr.contains("compressed message over the limit of 65536 bytes once inflated (--max-message-bytes)"),
      "\(result.stderr)")
  }

  @Test func theRemoteChatTimesOutAnAnswerTheServerNeverSends() async throws {
    let server = MisbehavingServer(.nothing)
    let chat = try await TmuxSession.start(
      command: "\(ChatEndToEndTests.session) chat --api-url \(await server.url(session: "quiet")) --idle-timeout 2",
      env: ChatEndToEndTests.chatEnvironment())
    try await chat.wait("the prompt") { $0.contains("quiet>") }
    try await chat.send("hello", "Enter")
    try await chat.wait("the timeout") {
      $0.contains("error: no frame from the server for 2 s") && $0.occurrences(of: "quiet>") == 2
    }
    try await chat.send("/quit", "Enter")
    try await chat.wait("the exit") { $0.contains("EXIT=0") }
  }
}

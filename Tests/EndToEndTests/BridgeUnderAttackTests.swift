import Foundation
import HummingbirdWSCompression
import Logging
import NIOWebSocket
import TGPTEvents
import Testing
import WSClient

/// Issue 12: `tgpt-ws-bridge serve` under attack and under faults. Loopback only; every load
/// is bounded in count, and nothing waits for a moment in time.
@Suite(.timeLimit(.minutes(10))) struct BridgeUnderAttackTests {
  // MARK: memory and descriptors

  enum Churn: CaseIterable, Sendable { case plain, deflate, refused }

  @Test(arguments: Churn.allCases) func connectionsThatCloseGiveTheirMemoryBack(_ churn: Churn) async throws {
    // Pings every 2 s: the library's ping timer of a closed connection holds a little memory
    // until it would have fired, which with the default 30 s hides what is really kept.
    let server = try await BridgeServerProcess.start(
      ["--ping-interval", "2"] + (churn == .refused ? ["--token", "secret"] : []))
    defer { server.terminate() }
    let port = UInt16(server.port)
    var sizes: [Int] = []
    for _ in 0..<10 {
      try await DedicatedThread.run { () throws(LoopbackHTTP.Failure) in
        for _ in 0..<1000 {
          try RawWebSocket.upgradeAndLeave(port: port, path: "/ws/chat/m", deflate: churn == .deflate)
        }
      }
      let settled = try await Harness.eventually("the server saw every client go") {
        let health = try await LoopbackHTTP.get(server.baseURL + "/healthz")
        let metrics = try await LoopbackHTTP.get(server.baseURL + "/metrics?token=secret")
        return health.contains(#""status":"ok""#) && metrics.contains("tgpt_connections_open 0\n")
      }
      #expect(settled)
      sizes.append(try Self.residentKilobytes(of: server.process.pid))
    }
    // Before the fix each connection kept ~5 KB (~20 KB with deflate) for good: 9,000 more
    // connections after the first round grew the server by 45 MB (180 MB with deflate).
    // A sanitizer's runtime keeps freed memory back on purpose (ASan's quarantine, TSan's
    // shadow), so the server's size says nothing there; the churn itself still runs.
    guard ProcessInfo.processInfo.environment["TGPT_SANITIZER"] == nil else { return }
    let growth = (sizes.last ?? 0) - (sizes.first ?? 0)
    #expect(growth < 5_000, "RSS after each round, KB: \(sizes)")
  }

  @Test func silentConnectionsCannotLockClientsOut() async throws {
    // An open-file limit of 200 for the server, and 250 connections that never speak.
    let (process, address) = try await RunningProcess.start(
      "/bin/sh",
      [
        "-c",
        "ulimit -n 200 && exec \"$0\" serve --port 0 --header-timeout 2 -- \"$1\" serve --provider echo",
        Harness.binary("tgpt-ws-bridge").path, Harness.binary("tgpt-session").path,
      ], env: Harness.environment())
    defer { process.signal(SIGTERM) }
    let port = try #require(UInt16(address.split(separator: ":").last ?? ""))
    let silent = try await DedicatedThread.run { () throws(LoopbackHTTP.Failure) -> [Int32] in
      var sockets: [Int32] = []
      for _ in 0..<250 { sockets.append(try LoopbackHTTP.connectedSocket(port: port)) }
      return sockets
    }
    defer { for fd in silent { close(fd) } }
    #expect(
      try await Harness.eventually("healthz answers ok") {
        try await LoopbackHTTP.get(address + "/healthz").contains(#""status":"ok""#)
      })
    let ws = "ws" + address.dropFirst(4) + "/ws/chat/real"
    let client = try await Harness.run("tgpt-ws-bridge", [ws], stdin: "still served\n")
    #expect(client.status == 0 && client.answer == "still served", "\(client.stderr)")
    // Every silent connection is closed by the server: evicted for a newer one, or past the
    // header timeout.
    let lastOne = RawWebSocket(adopting: try #require(silent.last))
    #expect(await lastOne.readUntilClosed(seconds: 120), "a silent connection was still open")
    lastOne.disown()
  }

  // MARK: back-pressure and abandoned turns

  @Test func aLongFastAnswerToAClientThatReadsIsNeverDropped() async throws {
    let server = try await BridgeServerProcess.start(["--max-message-bytes", "200000", "--rate", "0"])
    defer { server.terminate() }
    // The echo provider answers word by word: 10,000 chunk events as fast as it can.
    let words = (0..<10_000).map { "w\($0)" }.joined(separator: " ")
    let result = try await Harness.run("tgpt-ws-bridge", [server.ws("long")], stdin: words + "\n")
    #expect(result.status == 0, "\(result.stderr)")
    let whole = result.answer == words
    #expect(whole, "the answer was \(result.answer.utf8.count) bytes of \(words.utf8.count)")
    let posted = try await Self.curl([server.baseURL + "/chat/long"], body: #"{"message":"\#(words)"}"#)
    #expect(posted.status == "200", "\(posted.body.prefix(300))")
    let answered = posted.body.contains(words)
    #expect(answered, "the POST answer was \(posted.body.utf8.count) bytes")
  }

  @Test func closingAConnectionCancelsItsTurnsNobodyPaysForUnreadAnswers() async throws {
    let fake = try await FakeProviderServer.shared
    let gate = "abandon-\(UInt32.random(in: 0...UInt32.max))"
    let home = Harness.scratchDirectory()
    let env = Harness.environment(["OPENROUTER_API_KEY": "test-key"], home: home)
    let server = try await BridgeServerProcess.start(
      ["--rate", "0"],
      child: [
        Harness.binary("tgpt-session").path, "serve", "--provider", "openrouter", "--base-url",
        fake.url("gate=\(gate);key=\(gate)"),
      ], env: env)
    defer { server.terminate() }
    let socket = try await DedicatedThread.run { () throws(LoopbackHTTP.Failure) -> RawWebSocket in
      let socket = try RawWebSocket(port: UInt16(server.port), path: "/ws/chat/gone")
      for index in 1...5 { try socket.sendText(#"{"message":"turn \#(index)","id":"\#(index)"}"#) }
      return socket
    }
    // The first turn has reached the provider (held at the gate); the other four wait behind it.
    #expect(
      try await Harness.eventually("the first turn at the provider") { try await fake.requests(key: gate).count == 1 })
    socket.closeNow()
    // The running turn, still held at the gate, is stopped by the cancel and stored so; only
    // then is the gate opened (for the later message).
    #expect(
      try await Harness.eventually("the running turn stopped") {
        try await Self.storedAnswers(of: "gone", env: env).first?["error"]?.stringValue == "the client disconnected"
      })
    try await fake.release(gate: gate)
    // A later message in the same session runs after every earlier turn there has ended.
    let after = try await Harness.run("tgpt-ws-bridge", [server.ws("gone")], stdin: "afterwards\n", env: env)
    #expect(after.status == 0, "\(after.stderr)")
    #expect(
      try await fake.requests(key: gate).count == 2, "only the running turn and the later one reached the provider")
    let statuses = try await Self.storedAnswers(of: "gone", env: env).compactMap { $0["status"]?.stringValue }
    #expect(statuses == ["interrupted", "complete"])
  }

  @Test func theRateLimitIsPerAddressOverAllConnectionsAndHTTP() async throws {
    // One message back every 1,000 s: the bucket does not refill during the test.
    let server = try await BridgeServerProcess.start(["--rate", "0.001"])
    defer { server.terminate() }
    // Three connections of 50 messages each: 150, past the burst of 100 one address gets.
    let sockets = try await DedicatedThread.run { () throws(LoopbackHTTP.Failure) -> [RawWebSocket] in
      var sockets: [RawWebSocket] = []
      for index in 0..<3 {
        let socket = try RawWebSocket(port: UInt16(server.port), path: "/ws/chat/rate\(index)")
        for message in 0..<50 { try socket.sendText(#"{"message":"m\#(message)"}"#) }
        sockets.append(socket)
      }
      return sockets
    }
    defer { for socket in sockets { socket.closeNow() } }
    #expect(
      try await Harness.eventually("messages refused for the address") {
        try await LoopbackHTTP.get(server.baseURL + "/metrics").contains(#"tgpt_errors_total{code="rate_limited"}"#)
      })
    let posted = try await Self.curl([server.baseURL + "/chat/rate"], body: #"{"message":"one more"}"#)
    #expect(posted.status == "429", "POST /chat shares the address's limit: \(posted.body)")
    #expect(posted.body.contains("per client address"))
  }

  @Test func eachAddressHasItsOwnBucketAndATokenOneForAllItsAddresses() async throws {
    // 60 messages from each of two addresses: within each address's burst of 100. With one
    // token for both, 120 are past the token's burst.
    for token in [nil, "secret"] {
      let server = try await BridgeServerProcess.start(
        ["--rate", "0.001"] + (token.map { ["--token", $0, "--token-rate", "0.001"] } ?? []))
      defer { server.terminate() }
      let path = "/ws/chat/buckets" + (token.map { "?token=" + $0 } ?? "")
      let refused = try await DedicatedThread.run { () throws(LoopbackHTTP.Failure) -> Int in
        var refused = 0
        for address in ["127.0.0.1", "127.0.0.2"] {
          let socket = try RawWebSocket(port: UInt16(server.port), path: path, from: address)
          try socket.readResponseHead()
          for index in 0..<60 { try socket.sendText(#"{"message":"m","id":"\#(index)"}"#) }
          guard let ends = socket.readTerminalEvents(60) else { throw LoopbackHTTP.Failure(what: "connection lost") }
          refused += ends.filter { $0.contains(#""code":"rate_limited""#) }.count
        }
        return refused
      }
      if token == nil {
        #expect(refused == 0, "two addresses, two buckets")
      } else {
        #expect(refused == 20, "one token, one bucket over both addresses")
      }
    }
  }

  // MARK: smaller

  @Test func aTokenPaddedWithNulBytesIsRefusedAndABlankTokenFromTheEnvironmentToo() async throws {
    let server = try await BridgeServerProcess.start(["--token", "secret"])
    defer { server.terminate() }
    let padded = "secret" + String(repeating: "%00", count: 256)
    // A chat route: /metrics answers loopback without a token.
    let message = #"{"message":"hi"}"#
    #expect(try await Self.curl([server.baseURL + "/chat/t?token=" + padded], body: message).status == "401")
    #expect(try await Self.curl([server.baseURL + "/chat/t?token=secret"], body: message).status == "200")
    let blank = try await Harness.run(
      "tgpt-ws-bridge", ["serve", "--host", "0.0.0.0", "--port", "0"],
      env: Harness.environment(["TGPT_SERVER_TOKEN": "  "]))
    #expect(blank.status == 64 && blank.stderr.contains("TGPT_SERVER_TOKEN"), "\(blank.stderr)")
  }

  @Test(arguments: [
    ([UInt8(0x00)] + Array("{}".utf8), UInt16(1002)),  // a continuation with no message
    ([UInt8(0x01)] + Array("{".utf8), UInt16(1002)),  // then a new text frame inside it
    ([UInt8(0x81), 0xC3, 0x28], UInt16(1007)),  // a text message that is not UTF-8
  ])
  func framesThatBreakRFC6455FailTheConnection(frame: [UInt8], code: UInt16) async throws {
    let server = try await BridgeServerProcess.start()
    defer { server.terminate() }
    let closeCode = try await DedicatedThread.run { () throws(LoopbackHTTP.Failure) -> UInt16? in
      let socket = try RawWebSocket(port: UInt16(server.port), path: "/ws/chat/rfc")
      try socket.readResponseHead()
      try socket.sendFrame(firstByte: frame[0], payload: Array(frame.dropFirst()))
      if frame[0] == 0x01 { try socket.sendFrame(firstByte: 0x81, payload: Array("{}".utf8)) }
      return socket.readCloseCode()
    }
    #expect(closeCode == code)
  }

  @Test func anUnmaskedClientFrameFailsTheConnectionAfterMaskedOnesPass() async throws {
    let server = try await BridgeServerProcess.start()
    defer { server.terminate() }
    let (answered, closeCode) = try await DedicatedThread.run {
      () throws(LoopbackHTTP.Failure) -> ([Bool], UInt16?) in
      let socket = try RawWebSocket(port: UInt16(server.port), path: "/ws/chat/mask")
      try socket.readResponseHead()
      // Masked frames of both length forms are answered; the unmasked one after them is not.
      try socket.sendText(#"{"message":"short"}"#)
      let short = socket.readText(containing: #""type":"complete""#)
      try socket.sendText(#"{"message":""# + String(repeating: "m", count: 300) + #""}"#)
      let long = socket.readText(containing: #""type":"complete""#)
      try socket.sendFrame(firstByte: 0x81, payload: Array(#"{"message":"bare"}"#.utf8), masked: false)
      return ([short, long], socket.readCloseCode())
    }
    #expect(answered == [true, true])
    #expect(closeCode == 1002)
  }

  @Test func aCompressedMessageOverTheLimitClosesWith1009() async throws {
    let server = try await BridgeServerProcess.start()
    defer { server.terminate() }
    // 4 MiB of one letter deflates to a few KB: small on the wire, over the 1 MiB limit inflated.
    let close = try await WebSocketClient.connect(
      url: server.ws("zip"),
      configuration: .init(maxFrameSize: 1 << 20, extensions: [.perMessageDeflate()]),
      logger: Logger(label: "zip")
    ) { inbound, outbound, _ in
      try await outbound.write(.text(#"{"message":""# + String(repeating: "z", count: 4 << 20) + #""}"#))
      for try await _ in inbound {}
    }
    #expect(close?.closeCode == .messageTooLarge, "\(String(describing: close))")
    #expect(try await LoopbackHTTP.get(server.baseURL + "/metrics").contains(#"tgpt_errors_total{code="too_large"} 1"#))
  }

  @Test func aNumericIDIsRefusedAndNoInternalIDReachesTheClient() async throws {
    let server = try await BridgeServerProcess.start()
    defer { server.terminate() }
    let talk = try await SeedClient.talk(
      server.ws("ids"), [.text(#"{"message":"hi","id":7}"#), .text(#"{"message":"no id"}"#)])
    let refused = try #require(talk.replies.first?.last)
    guard case .error(let failure) = refused.payload else {
      Issue.record("not refused: \(talk.replies)")
      return
    }
    #expect(failure.code == .badInput && failure.message.contains(#""id" must be a string"#))
    #expect(talk.replies.last?.allSatisfy { $0.id == nil } == true, "\(talk.replies)")
  }

  // MARK: helpers

  /// A server whose child's answers stop after three words (the fake's `stall-after=3`) and
  /// wait there until the client leaves.
  static func holdingServer(_ arguments: [String] = [], env: [String: String]) async throws -> BridgeServerProcess {
    try await BridgeServerProcess.start(
      arguments,
      child: [
        Harness.binary("tgpt-session").path, "serve", "--provider", "openrouter", "--base-url",
        try await FakeProviderServer.shared.url("stall-after=3"),
      ], env: env)
  }

  /// Sends a 60-word message (id `m`) through `tgpt-ws-bridge`, runs the shell lines `then`
  /// once its first chunk has come, ends its input and waits for it: its status and output.
  static func midAnswer(
    _ server: BridgeServerProcess, session: String, env: [String: String], then: String
  ) async throws -> Harness.Result {
    let words = (1...60).map { "w\($0)" }.joined(separator: " ")
    return try await Harness.shell(
      """
      dir=$(mktemp -d); mkfifo "$dir/in"
      tgpt-ws-bridge \(server.ws(session)) <"$dir/in" >"$dir/out" & client=$!
      exec 3>"$dir/in"
      printf '%s\\n' '{"message":"\(words)","id":"m"}' >&3
      timeout 120 sh -c 'until grep -q "\\"chunk\\"" "$1"; do sleep 0.05; done' - "$dir/out"
      \(then)
      exec 3>&-
      wait $client; status=$?
      cat "$dir/out"; rm -r "$dir"; exit $status
      """, env: env)
  }

  /// The stored answers of `session`, oldest first (its export's assistant lines).
  static func storedAnswers(of session: String, env: [String: String]) async throws -> [JSON] {
    let stored = try await Harness.run("tgpt-session", ["export", session], env: env)
    return stored.text.split(separator: "\n").compactMap { try? JSON.parse(String($0)) }
      .filter { $0["role"]?.stringValue == "assistant" }
  }

  static func residentKilobytes(of pid: pid_t) throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
    return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
  }

  /// Runs curl; the HTTP status and the body. `body` is POSTed from a file.
  static func curl(_ arguments: [String], body: String? = nil) async throws -> (status: String, body: String) {
    var extra: [String] = []
    if let body {
      let file = Harness.scratchDirectory().appendingPathComponent("body.json")
      try body.write(to: file, atomically: true, encoding: .utf8)
      extra = ["-X", "POST", "--data-binary", "@" + file.path]
    }
    let quoted = (["curl", "-s", "-w", "\n%{http_code}"] + extra + arguments).map {
      "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
    let text = try await Harness.shell(quoted.joined(separator: " ")).text
    let split = text.lastIndex(of: "\n") ?? text.startIndex
    return (String(text[text.index(after: split)...]), String(text[..<split]))
  }
}

extension RawWebSocket {
  /// Connects, asks for the upgrade (offering permessage-deflate when `deflate`), reads the
  /// server's answer and closes the socket without a close frame: a client that vanishes.
  static func upgradeAndLeave(port: UInt16, path: String, deflate: Bool) throws(LoopbackHTTP.Failure) {
    let socket = try RawWebSocket(port: port, path: path, extensions: deflate ? "permessage-deflate" : nil)
    try socket.readResponseHead()
  }
}

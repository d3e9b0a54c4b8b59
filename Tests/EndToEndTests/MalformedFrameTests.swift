import Foundation
import TGPTEvents
import Testing

/// Issue 18: 10,000 malformed WebSocket frames of every kind against a running server, eight
/// connections at a time, while a well-behaved client keeps being answered. Under
/// ThreadSanitizer, with the rest of the suite, it has taken 14 minutes.
@Suite(.timeLimit(.minutes(30))) struct MalformedFrameTests {
  static let attacks = 10_000
  static let attackers = 8

  /// One malformed thing a client can send after the upgrade.
  enum Attack: CaseIterable {
    case reservedBits, unknownOpcode, unmasked, longControlFrame, fragmentedControlFrame, strayContinuation
    case dataInsideFragments, invalidUTF8, lengthWithTopBitSet, hugeDeclaredLength, truncatedFrame, garbage
    case shortClose, badCloseCode, closeReasonNotUTF8, binaryFrame, notJSON, deepJSON, wrongJSON, pingFlood

    /// The bytes sent after the upgrade (some attacks are followed by a proper close, so that
    /// every connection ends).
    func bytes(using random: inout SeededGenerator) -> [UInt8] {
      let word = Array("{\"message\":\"hi\"}".utf8)
      switch self {
      case .reservedBits: return Self.frame(0x81 | [0x40, 0x20, 0x10].randomElement(using: &random)!, word)
      case .unknownOpcode:
        return Self.frame(0x80 | [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF].randomElement(using: &random)!, [])
      case .unmasked: return Self.frame(0x81, word, masked: false)
      case .longControlFrame:
        return Self.frame(0x89, [UInt8](repeating: 0x61, count: 126 + Int.random(in: 0..<200, using: &random)))
      case .fragmentedControlFrame: return Self.frame(0x09, [1, 2, 3])
      case .strayContinuation: return Self.frame(0x80, word)
      case .dataInsideFragments: return Self.frame(0x01, Array(word.prefix(5))) + Self.frame(0x81, word)
      case .invalidUTF8: return Self.frame(0x81, [0x7B, 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80])
      case .lengthWithTopBitSet: return [0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
      case .hugeDeclaredLength:
        return [0x81, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0x20, count: 4096)
      case .truncatedFrame:
        return Array(
          Self.frame(0x81, [UInt8](repeating: 0x41, count: 1000)).prefix(Int.random(in: 1..<200, using: &random)))
      case .garbage:
        return (0..<Int.random(in: 1...512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
      case .shortClose: return Self.frame(0x88, [0x03])
      case .badCloseCode:
        return Self.frame(0x88, Self.code([0, 999, 1004, 1005, 1006, 1015, 2999, 5000].randomElement(using: &random)!))
      case .closeReasonNotUTF8: return Self.frame(0x88, Self.code(1000) + [0xC3, 0x28])
      case .binaryFrame: return Self.frame(0x82, [0, 1, 2, 3, 0xFF]) + Self.close
      case .notJSON:
        return Self.frame(
          0x81,
          Array(["{", "}", "null", "[1,2]", "\"x\"", "{\"message\":", "\u{0}"].randomElement(using: &random)!.utf8))
          + Self.close
      case .deepJSON:
        let depth = Int.random(in: 200...100_000, using: &random)
        return Self.frame(0x81, [UInt8](repeating: 0x5B, count: depth) + [UInt8](repeating: 0x5D, count: depth))
          + Self.close
      case .wrongJSON:
        let texts = [
          #"{"message":7}"#, #"{"message":"x","session_id":["a"]}"#, #"{"message":"x","id":1e999}"#,
          #"{"cancel":"nothing"}"#, #"{"message":"\ud800"}"#,
          #"{"message":"x","attachments":[{"name":"a","data":"%%%"}]}"#,
          #"{"message":"x","model":""# + String(repeating: "m", count: 70_000) + #""}"#,
        ]
        return Self.frame(0x81, Array(texts.randomElement(using: &random)!.utf8)) + Self.close
      case .pingFlood: return (0..<100).flatMap { Self.frame(0x89, Array("p\($0)".utf8)) } + Self.close
      }
    }

    static let close = frame(0x88, code(1000))
    static func code(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    static func frame(_ first: UInt8, _ payload: [UInt8], masked: Bool = true) -> [UInt8] {
      RawWebSocket.frame(firstByte: first, payload: payload, masked: masked)
    }
  }

  @Test func tenThousandMalformedFramesAndTheServerKeepsServingOthers() async throws {
    let seed = UInt64(ProcessInfo.processInfo.environment["TGPT_FAULT_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
    let server = try await BridgeServerProcess.start(["--rate", "0", "--ping-interval", "3600"])
    defer { server.terminate() }
    let port = UInt16(server.port)
    // Each attacker counts the connections the server never closed, and its good client's answers.
    let (stuck, healthy) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
      for attacker in 0..<Self.attackers {
        group.addTask {
          try await DedicatedThread.run { () throws(LoopbackHTTP.Failure) -> (Int, Int) in
            var (stuck, healthy) = (0, 0)
            var random = SeededGenerator(seed: seed &+ UInt64(attacker))
            for index in 0..<(Self.attacks / Self.attackers) {
              let attack = Attack.allCases.randomElement(using: &random)!
              let socket = try RawWebSocket(port: port, path: "/ws/chat/attack-\(attacker)")
              try socket.readResponseHead()
              socket.sendIgnoringErrors(attack.bytes(using: &random))
              if attack == .truncatedFrame || attack == .garbage {
                socket.closeNow()  // leaving mid-frame is an attack of its own
              } else if !socket.waitForClose(seconds: 120) {
                stuck += 1
              }
              // Between attacks, a well-behaved client is answered.
              if index % 250 == 0, Self.answered(port: port, session: "good-\(attacker)") {
                healthy += 1
              }
            }
            return (stuck, healthy)
          }
        }
      }
      return try await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
    }
    #expect(stuck == 0, "seed \(seed): connections the server never closed")
    #expect(
      healthy == Self.attacks / 250,
      "seed \(seed): a good client was answered \(healthy) of \(Self.attacks / 250) times")
    let after = await DedicatedThread.run { Self.answered(port: port, session: "good-after") }
    #expect(after, "answered after the attacks")
    #expect(server.process.isRunning, "seed \(seed): \(server.stderr.suffix(2000))")
    // Every attack reached the server, and it let go of every connection.
    let metrics = try await LoopbackHTTP.get(server.baseURL + "/metrics")
    let accepted = metrics.split(separator: "\n").first { $0.hasPrefix("tgpt_connections_total ") }
    #expect((accepted.flatMap { Int($0.split(separator: " ")[1]) } ?? 0) >= Self.attacks, "\(metrics)")
    let closedAll = try await Harness.eventually("no connection left open") {
      try await LoopbackHTTP.get(server.baseURL + "/metrics").contains("\ntgpt_connections_open 0\n")
    }
    if !closedAll {
      let open = try await LoopbackHTTP.get(server.baseURL + "/metrics").split(separator: "\n")
        .filter { $0.hasPrefix("tgpt_connections_open") || $0.hasPrefix("tgpt_requests") }
      Issue.record("seed \(seed): \(open); server log: \(server.stderr.suffix(4000))")
    }
  }

  /// A proper message on a new connection gets its answer (blocking: on a thread of its own).
  static func answered(port: UInt16, session: String) -> Bool {
    guard let socket = try? RawWebSocket(port: port, path: "/ws/chat/\(session)"),
      (try? socket.readResponseHead()) != nil, (try? socket.sendText(#"{"message":"still there?"}"#)) != nil
    else { return false }
    return socket.readText(containing: #""type":"complete""#)
  }
}

extension RawWebSocket {
  /// Sends raw bytes; a server that already closed the connection is not an error here.
  func sendIgnoringErrors(_ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
  }
}

import TGPTBridge
import Testing

@Suite struct RequestHeadScannerTests {
  /// Feeds `text` in reads cut at `cuts`; where the head ended (offset in the whole input).
  static func scan(_ text: String, cuts: [Int] = []) -> (end: Int?, webSocket: Bool) {
    let bytes = Array(text.utf8)
    var scanner = RequestHeadScanner()
    var start = 0
    for cut in cuts.filter({ $0 > 0 && $0 < bytes.count }) + [bytes.count] {
      if case .ended(let count) = scanner.scan(bytes[start..<cut]) { return (start + count, scanner.asksForWebSocket) }
      start = cut
    }
    return (nil, false)
  }

  static let upgrade =
    "GET /ws/chat/s HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n"

  @Test func findsTheEndOfAnUpgradeHeadWhereverTheReadsAreCut() {
    let length = Self.upgrade.utf8.count
    for cut in 0...length {
      let found = Self.scan(Self.upgrade + "\u{81}\u{80}", cuts: [cut])
      #expect(found.end == length && found.webSocket, "cut at \(cut)")
    }
  }

  @Test func blankLinesBeforeTheRequestAreNotAHead() {
    #expect(Self.scan("\r\n\r\n\r\n").end == nil)
    #expect(Self.scan("\n\n").end == nil)
    let head = "\r\n\r\nGET / HTTP/1.1\r\n\r\n"
    #expect(Self.scan(head).end == head.utf8.count)
  }

  @Test func onlyAGETWithAnUpgradeHeaderAsksForAWebSocket() {
    #expect(!Self.scan("POST /chat/websocket-demo HTTP/1.1\r\nContent-Length: 2\r\n\r\n").webSocket)
    #expect(!Self.scan("GET /healthz HTTP/1.1\r\nReferer: https://x/websocket-chat\r\n\r\n").webSocket)
    #expect(!Self.scan("GET /?token=websocket HTTP/1.1\r\nUser-Agent: websocket\r\n\r\n").webSocket)
    #expect(Self.scan("GET / HTTP/1.1\nupgrade:  WebSocket\n\n").webSocket)
    // A long head does not push the Upgrade header out of view.
    let padded = "GET / HTTP/1.1\r\nX-Pad: " + String(repeating: "p", count: 40_000) + "\r\nUpgrade: websocket\r\n\r\n"
    #expect(Self.scan(padded).webSocket)
  }
}

@Suite struct MaskedFrameScannerTests {
  static func frame(_ payload: Int, masked: Bool) -> [UInt8] {
    let mask: UInt8 = masked ? 0x80 : 0
    var header: [UInt8]
    switch payload {
    case ..<126: header = [0x81, mask | UInt8(payload)]
    case ..<65536: header = [0x81, mask | 126, UInt8(payload >> 8), UInt8(payload & 0xFF)]
    default: header = [0x82, mask | 127] + (0..<8).reversed().map { UInt8((payload >> ($0 * 8)) & 0xFF) }
    }
    // Payload bytes that look like unmasked headers, to catch a scanner that reads into them.
    return header + (masked ? [1, 2, 3, 4] : []) + [UInt8](repeating: 0x01, count: payload)
  }

  @Test func maskedFramesOfEveryLengthFormPassWhereverTheReadsAreCut() {
    let stream =
      [UInt8](repeating: 0x55, count: 7) + Self.frame(5, masked: true) + Self.frame(127, masked: true)
      + Self.frame(300, masked: true) + Self.frame(70_000, masked: true)
    for cut in stride(from: 0, to: stream.count, by: 97) {
      var scanner = MaskedFrameScanner(skipping: 7)
      let first = scanner.scan(stream[..<cut])
      let second = scanner.scan(stream[cut...])
      #expect(first && second, "cut at \(cut)")
    }
  }

  @Test func anUnmaskedFrameAfterMaskedOnesIsFound() {
    var scanner = MaskedFrameScanner()
    let masked = scanner.scan(Self.frame(126, masked: true))
    let bare = scanner.scan(Self.frame(3, masked: false))
    #expect(masked && !bare)
  }
}

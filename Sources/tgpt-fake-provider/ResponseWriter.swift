#if canImport(Glibc)
  import Glibc
#endif

/// Writes one HTTP/1.1 response with a chunked body, so the fake can end it properly, cut it
/// off (no final chunk: the client sees a broken transfer) or stall it.
struct ResponseWriter {
  let socket: Socket
  let scenario: Scenario
  private(set) var alive = true
  /// The gates a `hold-last` answer waits at.
  var gates: Gates?

  init(socket: Socket, scenario: Scenario) {
    self.socket = socket
    self.scenario = scenario
  }

  mutating func head(status: Int, contentType: String, extra: [(String, String)] = []) {
    var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Type: \(contentType)\r\n"
    text += "Transfer-Encoding: chunked\r\nConnection: close\r\nCache-Control: no-cache\r\n"
    for (name, value) in extra { text += "\(name): \(value)\r\n" }
    text += "\r\n"
    alive = socket.write(text) && alive
  }

  /// Sends body bytes as chunks (one byte per chunk in split mode, with a pause, so the client
  /// receives them in separate reads).
  mutating func send(_ text: String) { send(bytes: Array(text.utf8)) }

  /// Sends body bytes that need not be valid UTF-8 (a character cut between two events).
  mutating func send(bytes: [UInt8]) {
    guard alive else { return }
    guard !bytes.isEmpty else { return }
    if scenario.split {
      for byte in bytes {
        alive = socket.write(Array("1\r\n".utf8) + [byte] + Array("\r\n".utf8))
        guard alive else { return }
        usleep(300)
      }
    } else {
      alive = socket.write(Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + Array("\r\n".utf8))
    }
  }

  /// Ends the body properly.
  mutating func end() {
    guard alive else { return }
    alive = socket.write("0\r\n\r\n")
  }

  /// Before the content event `index` of `count`: with `hold-last`, waits at its gate before
  /// the last one; false when the client left meanwhile.
  func holdIfLast(_ index: Int, of count: Int) -> Bool {
    guard index == count - 1, let gate = scenario.holdLast, let gates else { return true }
    return gates.wait(for: gate, socket: socket)
  }

  /// Sleeps between events; false when the scenario has no delay.
  func pause(_ ms: Int) {
    if ms > 0 { usleep(useconds_t(ms) * 1000) }
  }

  static func reason(_ status: Int) -> String {
    switch status {
    case 200: "OK"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 402: "Payment Required"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 408: "Request Timeout"
    case 409: "Conflict"
    case 429: "Too Many Requests"
    case 500: "Internal Server Error"
    case 502: "Bad Gateway"
    case 503: "Service Unavailable"
    case 529: "Overloaded"
    default: "Status"
    }
  }
}

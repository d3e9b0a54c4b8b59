import Foundation
import TGPTEvents

/// A WebSocket client at the socket level, for what a library client will not do: upgrade,
/// send any frame, vanish without a close, and never read. Its calls block: use them on a
/// thread of their own (`DedicatedThread.run`).
final class RawWebSocket: Sendable {
  private let descriptor: Guarded<Int32>

  /// The socket (-1 once closed).
  var fd: Int32 { descriptor.withLock { $0 } }

  /// Connects and sends the upgrade request; `receiveBuffer` shrinks the socket's receive
  /// buffer, so a reader that never reads stops the server's writes sooner; `extensions` is
  /// offered in `Sec-WebSocket-Extensions`; `from` connects from another loopback address.
  init(
    port: UInt16, path: String, receiveBuffer: Int32? = nil, extensions: String? = nil, from: String? = nil
  ) throws(LoopbackHTTP.Failure) {
    descriptor = Guarded(try LoopbackHTTP.connectedSocket(port: port, receiveBuffer: receiveBuffer, from: from))
    let offer = extensions.map { "Sec-WebSocket-Extensions: \($0)\r\n" } ?? ""
    try send(
      Array(
        ("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\(offer)\r\n").utf8))
  }

  /// Takes over an open socket (closed with this object).
  init(adopting fd: Int32) { descriptor = Guarded(fd) }

  /// Sends one text frame, masked with a zero key (clients must mask; the key may be zero).
  func sendText(_ text: String) throws(LoopbackHTTP.Failure) {
    try sendFrame(firstByte: 0x81, payload: Array(text.utf8))
  }

  /// Sends one frame, masked unless told otherwise: `firstByte` holds FIN and the opcode.
  func sendFrame(firstByte: UInt8, payload: [UInt8], masked: Bool = true) throws(LoopbackHTTP.Failure) {
    try send(Self.frame(firstByte: firstByte, payload: payload, masked: masked))
  }

  /// The bytes of one frame; masked, with a zero key (the payload goes as it is).
  static func frame(firstByte: UInt8, payload: [UInt8], masked: Bool = true) -> [UInt8] {
    var frame: [UInt8] = [firstByte]
    let mask: UInt8 = masked ? 0x80 : 0
    if payload.count < 126 {
      frame.append(mask | UInt8(payload.count))
    } else if payload.count < 1 << 16 {
      frame += [mask | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
      frame += [mask | 127] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: payload.count >> ($0 * 8)) }
    }
    return frame + (masked ? [0, 0, 0, 0] : []) + payload
  }

  private func send(_ bytes: [UInt8]) throws(LoopbackHTTP.Failure) {
    let sent = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    guard sent == bytes.count else { throw LoopbackHTTP.Failure(what: "short send") }
  }

  /// Reads the server's answer to the upgrade, up to its blank line.
  func readResponseHead() throws(LoopbackHTTP.Failure) {
    var last: [UInt8] = []
    var byte: UInt8 = 0
    while !last.elementsEqual([13, 10, 13, 10]) {
      guard recv(fd, &byte, 1, 0) == 1 else { throw LoopbackHTTP.Failure(what: "no upgrade answer") }
      last = Array((last + [byte]).suffix(4))
    }
  }

  /// Reads frames until the server's close frame; its status code (nil when the connection
  /// ends without one).
  func readCloseCode() -> UInt16? {
    while let (opcode, payload) = readFrame() {
      if opcode == 0x8 { return payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil }
    }
    return nil
  }

  /// Reads text frames until one contains `text`; false when the connection ends first.
  func readText(containing text: String) -> Bool {
    while let (opcode, payload) = readFrame() {
      if opcode == 0x1, String(decoding: payload, as: UTF8.self).contains(text) { return true }
      if opcode == 0x8 { return false }
    }
    return false
  }

  /// The text frames of the next `count` terminal events (`complete` or `error`); nil when the
  /// connection ends first.
  func readTerminalEvents(_ count: Int) -> [String]? {
    var terminal: [String] = []
    while terminal.count < count {
      guard let (opcode, payload) = readFrame(), opcode != 0x8 else { return nil }
      let text = String(decoding: payload, as: UTF8.self)
      if opcode == 0x1, text.contains(#""type":"complete""#) || text.contains(#""type":"error""#) {
        terminal.append(text)
      }
    }
    return terminal
  }

  /// The next frame from the server (servers do not mask): its opcode and payload.
  private func readFrame() -> (opcode: UInt8, payload: [UInt8])? {
    func read(_ count: Int) -> [UInt8]? {
      var bytes = [UInt8](repeating: 0, count: count)
      var got = 0
      while got < count {
        let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
        if n <= 0 { return nil }
        got += n
      }
      return bytes
    }
    guard let head = read(2) else { return nil }
    var length = Int(head[1] & 0x7F)
    if length == 126 {
      guard let more = read(2) else { return nil }
      length = Int(more[0]) << 8 | Int(more[1])
    } else if length == 127 {
      guard let more = read(8) else { return nil }
      length = more.reduce(0) { $0 << 8 | Int($1) }
    }
    guard let payload = length > 0 ? read(length) : [] else { return nil }
    return (head[0] & 0x0F, payload)
  }

  /// Reads and discards everything until the server closes the connection (on a thread of
  /// its own); false when it is still open after `seconds`.
  func readUntilClosed(seconds: Int) async -> Bool {
    await DedicatedThread.run { self.waitForClose(seconds: seconds) }
  }

  /// Reads until the server ends the connection (blocking); false after `seconds`.
  func waitForClose(seconds: Int) -> Bool {
    var buffer = [UInt8](repeating: 0, count: 1 << 14)
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
      var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&pfd, 1, 1000) > 0 else { continue }
      let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) { return true }
    }
    return false
  }

  /// Closes the socket now, without a close frame.
  func closeNow() {
    let fd = descriptor.withLock { fd in
      defer { fd = -1 }
      return fd
    }
    if fd >= 0 { close(fd) }
  }

  /// Forgets the socket without closing it (its owner closes it).
  func disown() { descriptor.withLock { $0 = -1 } }

  deinit { closeNow() }
}

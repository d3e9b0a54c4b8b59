import Foundation
import TGPTEvents

/// A WebSocket client at the socket level, for what a library client will not do: upgrade,
/// send masked text frames, and never read.
final class RawWebSocket: Sendable {
  let fd: Int32

  /// Connects and sends the upgrade request; `receiveBuffer` shrinks the socket's receive
  /// buffer, so a reader that never reads stops the server's writes sooner.
  init(port: UInt16, path: String, receiveBuffer: Int32? = nil) throws {
    fd = try LoopbackHTTP.connectedSocket(port: port, receiveBuffer: receiveBuffer)
    try send(
      Array(
        ("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").utf8))
  }

  /// Sends one text frame, masked with a zero key (clients must mask; the key may be zero).
  func sendText(_ text: String) throws {
    let payload = Array(text.utf8)
    var frame: [UInt8] = [0x81]
    if payload.count < 126 {
      frame.append(0x80 | UInt8(payload.count))
    } else {
      frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    }
    frame += [0, 0, 0, 0] + payload
    try send(frame)
  }

  private func send(_ bytes: [UInt8]) throws {
    let sent = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    guard sent == bytes.count else { throw LoopbackHTTP.Failure(what: "short send") }
  }

  /// Reads and discards everything until the server closes the connection (on a thread of
  /// its own); false when it is still open after `seconds`.
  func readUntilClosed(seconds: Int) async -> Bool {
    let fd = fd
    return await DedicatedThread.run { () -> Bool in
      var buffer = [UInt8](repeating: 0, count: 1 << 16)
      let deadline = ContinuousClock.now + .seconds(seconds)
      while ContinuousClock.now < deadline {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 1000) > 0 else { continue }
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { return true }
        if count < 0, errno != EAGAIN, errno != EINTR { return true }
      }
      return false
    }
  }

  deinit { close(fd) }
}

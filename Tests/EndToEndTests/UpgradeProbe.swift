import Foundation
import TGPTEvents

/// A WebSocket upgrade request whose answer is only its status code (`101`, `400`, …): the
/// status line is read and the connection closed, so an accepted upgrade needs no time limit
/// to end, however slowly the loaded server answers.
enum UpgradeProbe {
  static func status(port: Int, path: String, headers: [String: String]) async throws -> String {
    try await DedicatedThread.run { () throws(LoopbackHTTP.Failure) -> String in
      let fd = try LoopbackHTTP.connectedSocket(port: UInt16(port))
      defer { close(fd) }
      var head = "GET \(path) HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
      head += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      if headers["Host"] == nil { head += "Host: 127.0.0.1:\(port)\r\n" }
      for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
      let request = Array((head + "\r\n").utf8)
      _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      var line: [UInt8] = []
      var byte: UInt8 = 0
      while line.count < 200, recv(fd, &byte, 1, 0) == 1, byte != 0x0A { line.append(byte) }
      // "HTTP/1.1 101 Switching Protocols": the second word.
      let words = String(decoding: line, as: UTF8.self).split(separator: " ")
      return words.count > 1 ? String(words[1]) : "none"
    }
  }
}

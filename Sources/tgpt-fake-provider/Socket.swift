#if canImport(Glibc)
  import Glibc
#endif

/// A connected TCP socket with blocking whole writes and buffered reads.
final class Socket: @unchecked Sendable {
  let fd: Int32
  private var buffer: [UInt8] = []

  init(fd: Int32) {
    self.fd = fd
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
  }

  deinit { close(fd) }

  /// Writes all bytes; false when the peer has gone.
  @discardableResult
  func write(_ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if n < 0 {
        if errno == EINTR { continue }
        return false
      }
      offset += n
    }
    return true
  }

  @discardableResult
  func write(_ text: String) -> Bool { write(Array(text.utf8)) }

  /// Reads the request head and body (Content-Length only); nil if the peer closed first.
  func readRequest() -> (head: String, body: [UInt8])? {
    while true {
      if let end = indexOfHeadEnd() {
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
        let length = Self.contentLength(head)
        while buffer.count < length {
          guard fill() else { return nil }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return (head, body)
      }
      guard fill() else { return nil }
    }
  }

  /// Whether the peer closed (or sent anything) within `milliseconds`.
  func closedWithin(milliseconds: Int32) -> Bool {
    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&pfd, 1, milliseconds) > 0
  }

  /// Blocks until the peer closes (or sends anything), for stalls that end with the client.
  func waitForClose(seconds: Int) { _ = closedWithin(milliseconds: Int32(seconds * 1000)) }

  private func fill() -> Bool {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    guard n > 0 else { return false }
    buffer.append(contentsOf: chunk[..<n])
    return true
  }

  private func indexOfHeadEnd() -> Int? {
    guard buffer.count >= 4 else { return nil }
    for i in 0...(buffer.count - 4)
    where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
      return i
    }
    return nil
  }

  private static func contentLength(_ head: String) -> Int {
    for line in head.split(separator: "\r\n") {
      let parts = line.split(separator: ":", maxSplits: 1)
      if parts.count == 2, parts[0].lowercased() == "content-length" {
        return Int(parts[1].trimmingPrefix(" ")) ?? 0
      }
    }
    return 0
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The WebSocket client library reports a refused upgrade without its HTTP status. For
/// `ws://` URLs the status is read by sending the same upgrade request once more over a plain
/// socket, so the user sees "HTTP 403" and the right exit code.
enum UpgradeProbe {
  /// The status line of the server's answer to an upgrade request for `url`, or nil.
  static func statusLine(url: String, headers: [(String, String)]) -> String? {
    guard url.hasPrefix("ws://") || url.hasPrefix("http://") else { return nil }
    let rest = url.drop { $0 != "/" }.dropFirst(2)
    let authority = rest.prefix { $0 != "/" && $0 != "?" }
    var target = String(rest.dropFirst(authority.count))
    if target.isEmpty || target.first == "?" { target = "/" + target }
    let host =
      authority.hasPrefix("[")
      ? String(authority.dropFirst().prefix { $0 != "]" }) : String(authority.prefix { $0 != ":" })
    let portText = authority.reversed().prefix { $0 != ":" && $0 != "]" }
    let port = authority.contains(":") && !authority.hasSuffix("]") ? String(portText.reversed()) : "80"

    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var found: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, port, &hints, &found) == 0, let address = found else { return nil }
    defer { freeaddrinfo(found) }
    let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else { return nil }
    var request = "GET \(target) HTTP/1.1\r\nHost: \(authority)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    request += "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    for (name, value) in headers { request += "\(name): \(value)\r\n" }
    request += "\r\n"
    let bytes = Array(request.utf8)
    guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
      return nil
    }
    var buffer = [UInt8](repeating: 0, count: 512)
    let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { return nil }
    let head = String(decoding: buffer[..<count], as: UTF8.self)
    return head.split(separator: "\r\n", maxSplits: 1).first.map(String.init)
  }

  /// The HTTP status code in a status line (`HTTP/1.1 403 Forbidden` → 403).
  static func status(of line: String) -> Int? {
    let parts = line.split(separator: " ")
    return parts.count >= 2 ? Int(parts[1]) : nil
  }
}

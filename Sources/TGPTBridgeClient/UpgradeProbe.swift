#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The WebSocket client library reports a refused upgrade without its HTTP status. For
/// `ws://` URLs the status is read by sending the same upgrade request once more over a plain
/// socket, so the user sees "HTTP 403" and the right exit code.
enum UpgradeProbe {
  /// The server's answer to an upgrade request for `url`: its status line and the start of
  /// its body (the server's reason, when it gives one; "" when not), or nil.
  static func answer(url: String, headers: [(String, String)]) -> (statusLine: String, reason: String)? {
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
    var buffer = [UInt8](repeating: 0, count: 2048)
    let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { return nil }
    let text = String(decoding: buffer[..<count], as: UTF8.self)
    guard let line = text.split(separator: "\r\n", maxSplits: 1).first.map(String.init) else { return nil }
    let body = text.firstRange(of: "\r\n\r\n").map { text[$0.upperBound...] } ?? ""
    return (line, reason(body))
  }

  /// The first line of a body, printable characters only and at most 200 of them: enough for
  /// a server's one-sentence reason, and nothing that could drive the terminal.
  static func reason(_ body: Substring) -> String {
    let first = body.split(whereSeparator: \.isNewline).first { !$0.allSatisfy(\.isWhitespace) } ?? ""
    let printable = first.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
    var text = String(String.UnicodeScalarView(printable.prefix(200)))
    while text.last == " " { text.removeLast() }
    return text
  }

  /// The HTTP status code in a status line (`HTTP/1.1 403 Forbidden` → 403).
  static func status(of line: String) -> Int? {
    let parts = line.split(separator: " ")
    return parts.count >= 2 ? Int(parts[1]) : nil
  }
}

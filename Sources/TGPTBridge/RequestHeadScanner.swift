/// Finds where an HTTP/1 request head ends, and whether it asks for a WebSocket, from the
/// connection's first bytes in reads of any size. No I/O: the server's connection guard feeds
/// it.
///
/// Blank lines before the request line are skipped, as HTTP parsers do (RFC 9112 §2.2), so a
/// client cannot pass off `\r\n\r\n` as a head. Header lines are looked at as they end and not
/// kept, however long the head.
package struct RequestHeadScanner: Sendable {
  /// What a read showed.
  package enum Progress: Equatable, Sendable {
    /// The head goes on past this read.
    case incomplete
    /// The head ended after `bytes` bytes of this read.
    case ended(bytes: Int)
  }

  /// Whether the head is a `GET` with `Upgrade: websocket` (known once it has ended).
  package private(set) var asksForWebSocket = false
  private var started = false
  private var isGET = false
  private var upgrade = false
  private var lineNumber = 0
  /// The start of the current line, enough for a method or a header name and its value's
  /// first words.
  private var line: [UInt8] = []
  private var lineLength = 0

  package init() {}

  /// Scans one read.
  package mutating func scan<C: Collection<UInt8>>(_ bytes: C) -> Progress {
    var offset = 0
    for byte in bytes {
      offset += 1
      if !started {
        if byte == 0x0D || byte == 0x0A { continue }
        started = true
      }
      if byte == 0x0A {
        if endLine() { return .ended(bytes: offset) }
        continue
      }
      if byte != 0x0D, line.count < 256 { line.append(byte) }
      lineLength += 1
    }
    return .incomplete
  }

  /// Looks at the line just ended; true when it was the blank line that ends the head.
  private mutating func endLine() -> Bool {
    defer {
      line.removeAll(keepingCapacity: true)
      lineLength = 0
      lineNumber += 1
    }
    if line.isEmpty, lineLength <= 1 {
      asksForWebSocket = isGET && upgrade
      return true
    }
    let text = String(decoding: line, as: UTF8.self)
    if lineNumber == 0 {
      isGET = text.hasPrefix("GET ")
    } else if let colon = text.firstIndex(of: ":"), text[..<colon].lowercased() == "upgrade" {
      upgrade = upgrade || text[colon...].lowercased().contains("websocket")
    }
    return false
  }
}

/// Reads a WebSocket client's frame headers, skipping payloads, to find a frame without a
/// mask: RFC 6455 §5.1 says a server must fail such a connection, and the frame decoder the
/// server uses unmasks whatever it gets. No I/O: the server's connection guard feeds it.
package struct MaskedFrameScanner: Sendable {
  /// Bytes to pass unread: what precedes the first frame, then each frame's payload.
  private var skip: Int
  private var header: [UInt8] = []

  /// `skipping` bytes come before the first frame (the rest of the request head).
  package init(skipping: Int = 0) { skip = skipping }

  /// Scans one read; false when it holds an unmasked frame.
  package mutating func scan<C: Collection<UInt8>>(_ bytes: C) -> Bool {
    var index = bytes.startIndex
    while index != bytes.endIndex {
      if skip > 0 {
        let step = min(skip, bytes.distance(from: index, to: bytes.endIndex))
        skip -= step
        index = bytes.index(index, offsetBy: step)
        continue
      }
      header.append(bytes[index])
      index = bytes.index(after: index)
      guard header.count >= 2 else { continue }
      guard header[1] & 0x80 != 0 else { return false }
      let short = Int(header[1] & 0x7F)
      let extra = short == 126 ? 2 : short == 127 ? 8 : 0
      guard header.count == 2 + extra + 4 else { continue }
      skip = extra == 0 ? short : Int(clamping: header[2..<2 + extra].reduce(UInt64(0)) { $0 &<< 8 | UInt64($1) })
      header.removeAll(keepingCapacity: true)
    }
    return true
  }
}

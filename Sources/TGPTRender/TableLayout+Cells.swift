extension TableLayout {
  /// `cells(_:)` for an ASCII row, on bytes: each byte is a character of its own (CR LF is one
  /// cluster, but neither byte is a space, a tab, a pipe, a backslash or a backtick), so the
  /// split is the same as by characters, without a string per character.
  static func asciiCells(_ line: UnsafeBufferPointer<UInt8>) -> [String] {
    let (start, end) = trimmed(line, 0, line.count)
    var cells: [String] = []
    var current: [UInt8] = []
    current.reserveCapacity(end - start)
    var inCode = false
    var escaped = false
    func take() {
      current.withUnsafeBufferPointer { bytes in
        let (from, to) = trimmed(bytes, 0, bytes.count)
        cells.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self))
      }
      current.removeAll(keepingCapacity: true)
    }
    for index in start..<end {
      let byte = line[index]
      if escaped {
        if byte != UInt8(ascii: "|") { current.append(UInt8(ascii: "\\")) }
        current.append(byte)
        escaped = false
        continue
      }
      switch byte {
      case UInt8(ascii: "\\"): escaped = true
      case UInt8(ascii: "`"):
        inCode.toggle()
        current.append(byte)
      case UInt8(ascii: "|") where !inCode: take()
      default: current.append(byte)
      }
    }
    if escaped { current.append(UInt8(ascii: "\\")) }
    take()
    let opens = end > start && line[start] == UInt8(ascii: "|")
    let closes = end > start && line[end - 1] == UInt8(ascii: "|")
    if opens { cells.removeFirst() }
    if closes, cells.count > 1 || !opens { cells.removeLast() }
    return cells
  }

  /// The bounds of `bytes[start..<end]` without leading and trailing spaces and tabs.
  private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Int) {
    var start = start
    var end = end
    while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
    while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
    return (start, end)
  }
}

extension TableLayout {
  /// The width of the longest word of a cell's rows as shown. ASCII rows are split at space
  /// bytes; others as characters, where a space with a mark on it does not split.
  static func longestWord(_ rows: [Row]) -> Int {
    guard rows.allSatisfy({ $0.bytes.allSatisfy { $0 < 0x80 } }) else {
      let shown = rows.map(\.plainText).joined(separator: " ")
      return shown.split(separator: " ").map { DisplayWidth.of($0) }.max() ?? 0
    }
    var longest = 0
    for row in rows {
      var word = 0
      for byte in row.bytes {
        if byte == 0x20 {
          longest = max(longest, word)
          word = 0
        } else if byte >= 0x20, byte != 0x7F {
          word += 1
        }
      }
      longest = max(longest, word)
    }
    return longest
  }
}

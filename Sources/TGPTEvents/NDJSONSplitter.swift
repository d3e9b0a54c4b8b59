#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Splits a byte stream into NDJSON lines, whatever the sizes of the reads.
///
/// A state machine without I/O: feed it reads, it hands back complete lines (without the `\n`
/// and a trailing `\r`) with their 1-based line numbers. Blank lines are skipped but counted.
/// A line longer than `maxLineBytes` is skipped to its end and reported as `.overlong`, so a
/// caller can say what was lost and go on: as soon as it crosses the limit, or — with
/// `reportsOverlongAtEnd` — at its end, with its last bytes (where an event's `id` is).
package struct NDJSONSplitter {
  /// One result of splitting.
  package enum Item {
    /// A complete, non-blank line; the buffer is valid only during the callback.
    case line(UnsafeRawBufferPointer, number: Int)
    /// A line over the limit, which was dropped; `tail` is its last `overlongTailBytes` bytes
    /// when reported at its end (else empty).
    case overlong(number: Int, tail: [UInt8])
  }

  /// How many of an overlong line's last bytes `.overlong` carries.
  package static let overlongTailBytes = 1024

  /// The default line limit: 8 MiB.
  package static let defaultMaxLineBytes = 8 << 20

  package let maxLineBytes: Int
  /// Whether an overlong line is reported at its end, with its tail, rather than at once.
  package let reportsOverlongAtEnd: Bool
  private var pending: [UInt8] = []
  private var lineNumber = 0
  private var discarding = false
  /// The last bytes of the line being discarded.
  private var tail: [UInt8] = []

  package init(maxLineBytes: Int = NDJSONSplitter.defaultMaxLineBytes, reportsOverlongAtEnd: Bool = false) {
    self.maxLineBytes = maxLineBytes
    self.reportsOverlongAtEnd = reportsOverlongAtEnd
  }

  /// The number of lines started so far (the current line's number while one is open).
  package var linesSeen: Int { lineNumber }

  /// Feeds one read.
  package mutating func feed<E: Error>(
    _ bytes: UnsafeRawBufferPointer, _ body: (Item) throws(E) -> Void
  ) throws(E) {
    var start = 0
    let count = bytes.count
    while start < count {
      guard let newline = Self.indexOfNewline(bytes, from: start) else {
        append(UnsafeRawBufferPointer(rebasing: bytes[start..<count]))
        // A CR that may be the first half of the line's CRLF does not count against the limit.
        let length = pending.count - (pending.last == 0x0D ? 1 : 0)
        if !discarding, length > maxLineBytes {
          lineNumber += 1
          discarding = true
          if reportsOverlongAtEnd { keepTail(of: pending) }
          pending.removeAll(keepingCapacity: false)
          if !reportsOverlongAtEnd { try body(.overlong(number: lineNumber, tail: [])) }
        }
        return
      }
      let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<newline])
      start = newline + 1
      if discarding {
        discarding = false
        keepTail(of: piece)
        let tail = takeTail()
        if reportsOverlongAtEnd { try body(.overlong(number: lineNumber, tail: tail)) }
        continue
      }
      lineNumber += 1
      if pending.isEmpty {
        try emit(piece, body)
      } else {
        pending.append(contentsOf: piece)
        let line = pending
        pending.removeAll(keepingCapacity: true)
        try line.withBytes { buffer throws(E) in try emit(buffer, body) }
      }
    }
  }

  /// Ends the input: a final line without `\n` is still a line.
  package mutating func finish<E: Error>(_ body: (Item) throws(E) -> Void) throws(E) {
    if discarding {
      discarding = false
      pending.removeAll()
      let tail = takeTail()
      if reportsOverlongAtEnd { try body(.overlong(number: lineNumber, tail: tail)) }
      return
    }
    guard !pending.isEmpty else { return }
    lineNumber += 1
    let line = pending
    pending.removeAll()
    try line.withBytes { buffer throws(E) in try emit(buffer, body) }
  }

  private mutating func append(_ bytes: UnsafeRawBufferPointer) {
    if !discarding {
      pending.append(contentsOf: bytes)
    } else if reportsOverlongAtEnd {
      keepTail(of: bytes)
    }
  }

  private mutating func keepTail<C: Collection<UInt8>>(of bytes: C) {
    tail.append(contentsOf: bytes.suffix(Self.overlongTailBytes))
    if tail.count > Self.overlongTailBytes { tail.removeFirst(tail.count - Self.overlongTailBytes) }
  }

  private mutating func takeTail() -> [UInt8] {
    var line = tail
    tail = []
    if line.last == UInt8(ascii: "\r") { line.removeLast() }
    return line
  }

  private func emit<E: Error>(_ raw: UnsafeRawBufferPointer, _ body: (Item) throws(E) -> Void) throws(E) {
    var line = raw
    if let last = line.last, last == UInt8(ascii: "\r") { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
    if line.count > maxLineBytes {
      try body(.overlong(number: lineNumber, tail: Array(line.suffix(Self.overlongTailBytes))))
      return
    }
    if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
    try body(.line(line, number: lineNumber))
  }

  private static func indexOfNewline(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
    guard let base = bytes.baseAddress, start < bytes.count else { return nil }
    guard let hit = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
    return base.distance(to: UnsafeRawPointer(hit))
  }
}

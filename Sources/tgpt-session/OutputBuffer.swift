import TGPTEvents
import TGPTRender

#if canImport(Glibc)
  import Glibc
#endif

/// Output gathered and written at once (a listing of 10,000 sessions is one write, not
/// 10,000).
struct OutputBuffer {
  private var buffer: [UInt8] = []

  mutating func text(_ text: String) {
    var text = text
    text.withUTF8 { buffer.append(contentsOf: $0) }
  }

  /// `text`, then spaces up to `width` columns (see `Readable.columns`).
  mutating func padded(_ text: String, _ width: Int) {
    self.text(text)
    let count = Readable.columns(text)
    if count < width { buffer.append(contentsOf: repeatElement(UInt8(ascii: " "), count: width - count)) }
  }

  /// Spaces up to `width` columns, then `text` (right-aligned).
  mutating func rightAligned(_ text: String, _ width: Int) {
    let count = Readable.columns(text)
    if count < width { buffer.append(contentsOf: repeatElement(UInt8(ascii: " "), count: width - count)) }
    self.text(text)
  }
  mutating func bytes(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

  /// Writes everything to stdout; a closed stdout (`| head`) is not an error.
  func flush() throws {
    do {
      try FileIO.writeAll(1, buffer)
    } catch  where error.isOutputClosed {
      return
    }
  }
}

/// Text for people.
enum Readable {
  /// A time as local `yyyy-mm-dd hh:mm`.
  static func time(_ milliseconds: Int64) -> String {
    // Listings are sorted by time, so neighbours usually share their minute.
    let minute = milliseconds / 60_000
    if let last = lastTime, last.minute == minute { return last.text }
    let text = formatTime(milliseconds)
    lastTime = (minute, text)
    return text
  }

  nonisolated(unsafe) private static var lastTime: (minute: Int64, text: String)?

  private static func formatTime(_ milliseconds: Int64) -> String {
    var seconds = time_t(milliseconds / 1000)
    var parts = tm()
    localtime_r(&seconds, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return
      "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min))"
  }

  /// The columns `text` takes, counted as Unicode scalars: exact for the ASCII of ids and
  /// numbers, close enough for aligning model names.
  static func columns(_ text: String) -> Int { text.unicodeScalars.count }

  /// Stored or received text made safe to print on a terminal: escape sequences, control
  /// characters other than newline and tab, and bidi controls (which reorder what follows on
  /// the line) removed — by the sanitizer tgpt-render uses, so every printer strips the same.
  /// The NDJSON forms (`--json`, `export`) stay byte-exact and never come through here.
  static func safe(_ text: String) -> String {
    var sanitizer = Sanitizer()
    return sanitizer.clean(text)
  }
}

import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Output gathered and written at once (a listing of 10,000 sessions is one write, not
/// 10,000).
struct OutputBuffer {
  private var buffer: [UInt8] = []

  mutating func text(_ text: String) { buffer.append(contentsOf: text.utf8) }
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
    var seconds = time_t(milliseconds / 1000)
    var parts = tm()
    localtime_r(&seconds, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return
      "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min))"
  }

  /// `text` padded with spaces to `width` characters.
  static func pad(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
  }

  /// Stored text made safe to print on a terminal: control characters other than newline and
  /// tab (escape sequences a model or an imported file may contain) become `?`.
  static func safe(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var result = String.UnicodeScalarView()
    for scalar in text.unicodeScalars { result.append(isControl(scalar) ? "?" : scalar) }
    return String(result)
  }

  private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    return (value < 0x20 && value != 0x0A && value != 0x09) || (0x7F...0x9F).contains(value)
  }
}

import TGPTProviders

/// Changes top-level string keys in the text of a config file and leaves every other byte as
/// it was: comments, blank lines, tables, the order of keys.
///
/// ```swift
/// let text = try ConfigEditor.setting("model", to: "openai/gpt-4o", in: old)
/// ```
public enum ConfigEditor {
  /// `text` with the top-level `key` (one before the first `[table]`) set to the string
  /// `value`, or removed (its whole line) when `value` is nil.
  ///
  /// An existing statement is replaced where it stands, keeping a comment after it. A new one
  /// goes on the line after the last top-level statement; without any, above the first table
  /// (and the comment lines right above that table), else at the end. Text that is not valid
  /// TOML is refused rather than guessed at: the error says where it is wrong.
  public static func setting(_ key: String, to value: String?, in text: String) throws(ProviderError) -> String {
    var bytes = Array(text.utf8)
    let layout: TOMLReader.Layout
    do {
      layout = try TOMLReader.layout(bytes)
    } catch {
      throw .config(error.description)
    }
    let statement = Array("\(key) = \(quoted(value ?? ""))".utf8)
    if let existing = layout.statements.last(where: { $0.key == key })?.range {
      if value == nil {
        bytes.removeSubrange(lineStart(bytes, existing.lowerBound)..<lineEnd(bytes, existing.upperBound))
      } else {
        bytes.replaceSubrange(existing, with: statement)
      }
    } else if value != nil {
      if let last = layout.statements.last?.range {
        var at = lineEnd(bytes, last.upperBound)
        if at == bytes.count, bytes.last != 0x0A {
          bytes.append(0x0A)
          at += 1
        }
        bytes.insert(contentsOf: statement + [0x0A], at: at)
      } else if let table = layout.firstTable {
        bytes.insert(contentsOf: statement + [0x0A, 0x0A], at: commentsAbove(bytes, lineStart(bytes, table)))
      } else {
        if let last = bytes.last, last != 0x0A { bytes.append(0x0A) }
        bytes += statement + [0x0A]
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// `value` as a TOML basic string: quotes, backslashes and control characters escaped.
  public static func quoted(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F:
        let hex = String(scalar.value, radix: 16, uppercase: true)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// The offset where the line holding `offset` starts.
  private static func lineStart(_ bytes: [UInt8], _ offset: Int) -> Int {
    var start = offset
    while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
    return start
  }

  /// The offset just past the newline ending the line that holds `offset` (or the end).
  private static func lineEnd(_ bytes: [UInt8], _ offset: Int) -> Int {
    var end = offset
    while end < bytes.count, bytes[end] != 0x0A { end += 1 }
    return min(end + 1, bytes.count)
  }

  /// The start of the run of comment lines directly above the line at `start`: a table's
  /// description stays with the table.
  private static func commentsAbove(_ bytes: [UInt8], _ start: Int) -> Int {
    var start = start
    while start > 0 {
      let previous = lineStart(bytes, start - 1)
      let first = bytes[previous..<start].first { $0 != 0x20 && $0 != 0x09 }
      guard first == UInt8(ascii: "#") else { break }
      start = previous
    }
    return start
  }
}

import TGPTEvents
package import TGPTProviders

/// Changes top-level string keys in the text of a config file and leaves every other byte as
/// it was: comments, blank lines, tables, the order of keys.
///
/// ```swift
/// let text = try ConfigEditor.setting("model", to: "openai/gpt-4o", in: old)
/// ```
package enum ConfigEditor {
  /// `text` with the top-level `key` (one before the first `[table]`) set to the string
  /// `value`, or removed (its whole line) when `value` is nil.
  ///
  /// An existing statement is replaced where it stands, keeping a comment after it. A new one
  /// goes on the line after the last top-level statement; without any, above the first table
  /// (and the comment lines right above that table), else at the end. New lines end as the
  /// file's first line does (CRLF or LF). Text that is not valid TOML is refused rather than
  /// guessed at: the error says where it is wrong.
  package static func setting(_ key: String, to value: String?, in text: String) throws(ProviderError) -> String {
    var bytes = Array(text.utf8)
    let layout = try layout(of: bytes)
    let statement = Array("\(key) = \(quoted(value ?? ""))".utf8)
    let newline = lineEnding(of: bytes)
    if let existing = layout.statements.last(where: { $0.key == key })?.range {
      edit(&bytes, existing, to: value == nil ? nil : statement)
    } else if value != nil {
      if let last = layout.statements.last?.range {
        var at = lineEnd(bytes, last.upperBound)
        if at == bytes.count, bytes.last != 0x0A {
          bytes += newline
          at += newline.count
        }
        bytes.insert(contentsOf: statement + newline, at: at)
      } else if let table = layout.firstTable {
        bytes.insert(contentsOf: statement + newline + newline, at: commentsAbove(bytes, lineStart(bytes, table)))
      } else {
        if let last = bytes.last, last != 0x0A { bytes += newline }
        bytes += statement + newline
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// `text` with the statement `key = …` written under the header `[table]` (`["providers",
  /// "openai"]`) set to the string `value` where it stands, or its line removed when `value`
  /// is nil; nil when there is no such statement (one is never added). A key given in another
  /// form (dotted under a parent table, an inline table) is not found.
  package static func setting(
    _ key: String, inTable table: [String], to value: String?, in text: String
  ) throws(ProviderError) -> String? {
    var bytes = Array(text.utf8)
    var found: Range<Int>?
    var offset = 0
    var layout = try layout(of: bytes)
    // Each table's statements are the top-level ones of the text after its header line.
    while let header = layout.firstTable.map({ offset + $0 }) {
      let body = lineEnd(bytes, header)
      layout = try self.layout(of: Array(bytes[body...]))
      if try path(ofHeader: bytes[header..<body]) == table,
        let statement = layout.statements.last(where: { $0.key == key })?.range
      {
        found = (body + statement.lowerBound)..<(body + statement.upperBound)
      }
      offset = body
    }
    guard let found else { return nil }
    edit(&bytes, found, to: value.map { Array("\(key) = \(quoted($0))".utf8) })
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func layout(of bytes: [UInt8]) throws(ProviderError) -> TOMLReader.Layout {
    do {
      return try TOMLReader.layout(bytes)
    } catch {
      throw .config(error.description)
    }
  }

  /// The key path of a `[a.b]` header line.
  private static func path(ofHeader line: ArraySlice<UInt8>) throws(ProviderError) -> [String] {
    var path: [String] = []
    var table: JSONObject
    do {
      table = try TOMLReader.parse(String(decoding: line, as: UTF8.self))
    } catch {
      throw .config(error.description)
    }
    while table.count == 1, let (name, value) = table.members.first {
      path.append(name)
      table = value.objectValue ?? JSONObject()
    }
    return path
  }

  /// Replaces the statement at `range` with `statement`, or removes its whole line (nil).
  private static func edit(_ bytes: inout [UInt8], _ range: Range<Int>, to statement: [UInt8]?) {
    if let statement {
      bytes.replaceSubrange(range, with: statement)
    } else {
      bytes.removeSubrange(lineStart(bytes, range.lowerBound)..<lineEnd(bytes, range.upperBound))
    }
  }

  /// CR LF when the first line ends so, else LF.
  private static func lineEnding(of bytes: [UInt8]) -> [UInt8] {
    guard let first = bytes.firstIndex(of: 0x0A), first > 0, bytes[first - 1] == 0x0D else { return [0x0A] }
    return [0x0D, 0x0A]
  }

  /// `value` as a TOML basic string: quotes, backslashes and control characters escaped.
  package static func quoted(_ value: String) -> String {
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

/// Splits a command line into words as a POSIX shell would, with no shell: whitespace
/// separates words; `'…'` keeps everything literally; `"…"` keeps everything but `\"`,
/// `\\`, `\$` and `` \` ``; a backslash outside quotes keeps the next character. Nothing is
/// expanded (`$HOME`, `*`, `~` stay as written).
package enum ShellWords {
  /// Why a line cannot be split.
  package struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
    package let description: String
  }

  package static func split(_ line: String) throws(Failure) -> [String] {
    var words: [String] = []
    var word = ""
    var inWord = false
    var scalars = line.unicodeScalars.makeIterator()
    while let c = scalars.next() {
      switch c {
      case " ", "\t", "\n":
        if inWord { words.append(word) }
        word = ""
        inWord = false
      case "'":
        inWord = true
        while true {
          guard let next = scalars.next() else { throw Failure(description: "a ' is not closed in: \(line)") }
          if next == "'" { break }
          word.unicodeScalars.append(next)
        }
      case "\"":
        inWord = true
        while true {
          guard let next = scalars.next() else { throw Failure(description: "a \" is not closed in: \(line)") }
          if next == "\"" { break }
          if next == "\\" {
            guard let escaped = scalars.next() else { throw Failure(description: "a \" is not closed in: \(line)") }
            if !["\"", "\\", "$", "`"].contains(escaped) { word.unicodeScalars.append("\\") }
            if escaped != "\n" { word.unicodeScalars.append(escaped) }
            continue
          }
          word.unicodeScalars.append(next)
        }
      case "\\":
        inWord = true
        guard let next = scalars.next() else { throw Failure(description: "the line ends with a backslash: \(line)") }
        if next != "\n" { word.unicodeScalars.append(next) }
      default:
        inWord = true
        word.unicodeScalars.append(c)
      }
    }
    if inWord { words.append(word) }
    return words
  }
}

/// Just enough of a terminal to see what the user ends up looking at: text, newlines,
/// carriage return, erase to end of line, SGR attributes and OSC 8 links. Any other escape
/// fails the test (the renderer must not emit it).
import TGPTRender

struct VirtualTerminal {
  /// Columns before the terminal wraps (characters are counted as their display width).
  var width = Int.max
  struct Cell: Equatable {
    var character: Character
    var attributes: String
    var link: String
  }

  private(set) var lines: [[Cell]] = [[]]
  private var column = 0
  private var attributes = ""
  private var link = ""
  private(set) var unexpected: [String] = []

  mutating func feed(_ bytes: [UInt8]) {
    let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
    var i = 0
    var text = ""
    func flushText() {
      for character in text { put(character) }
      text = ""
    }
    while i < scalars.count {
      let scalar = scalars[i]
      switch scalar.value {
      case 0x0A:
        flushText()
        lines.append([])
        column = 0
        i += 1
      case 0x0D:
        flushText()
        column = 0
        i += 1
      case 0x1B:
        flushText()
        i = escape(scalars, from: i)
      default:
        text.unicodeScalars.append(scalar)
        i += 1
      }
    }
    flushText()
  }

  private mutating func put(_ character: Character) {
    // Auto-wrap, as terminals do: a character that does not fit goes to a new line.
    if column + max(DisplayWidth.of(character), 1) > width {
      lines.append([])
      column = 0
    }
    var line = lines[lines.count - 1]
    let cell = Cell(character: character, attributes: attributes, link: link)
    if column < line.count { line[column] = cell } else { line.append(cell) }
    column += 1
    lines[lines.count - 1] = line
  }

  private mutating func escape(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
    guard start + 1 < scalars.count else { return scalars.count }
    if scalars[start + 1] == "[" {
      var end = start + 2
      while end < scalars.count, !(0x40...0x7E).contains(scalars[end].value) { end += 1 }
      let parameters = String(String.UnicodeScalarView(scalars[(start + 2)..<min(end, scalars.count)]))
      let final = end < scalars.count ? scalars[end] : "?"
      switch final {
      case "m": attributes = parameters == "0" ? "" : parameters
      case "K":
        var line = lines[lines.count - 1]
        if column < line.count { line.removeSubrange(column...) }
        lines[lines.count - 1] = line
      default: unexpected.append("CSI \(parameters)\(final)")
      }
      return end + 1
    }
    if scalars[start + 1] == "]" {
      var end = start + 2
      while end + 1 < scalars.count, !(scalars[end] == "\u{1B}" && scalars[end + 1] == "\\") { end += 1 }
      let body = String(String.UnicodeScalarView(scalars[(start + 2)..<end]))
      if body.hasPrefix("8;;") { link = String(body.dropFirst(3)) } else { unexpected.append("OSC \(body)") }
      return end + 2
    }
    unexpected.append("ESC \(scalars[start + 1])")
    return start + 2
  }

  /// The screen as lines of text with attribute runs, for comparison.
  var screen: [String] {
    var result = lines.map { line -> String in
      var text = ""
      var current = ("", "")
      for cell in line {
        if (cell.attributes, cell.link) != current {
          text += "⟨\(cell.attributes)|\(cell.link)⟩"
          current = (cell.attributes, cell.link)
        }
        text.append(cell.character)
      }
      return text
    }
    while result.last == "" { result.removeLast() }
    return result
  }
}

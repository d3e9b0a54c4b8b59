import TGPTEvents

/// The text of the lines that show tool activity. Names, arguments and output are untrusted:
/// control is neutralised as in model text, and each line is fitted to the width, never
/// wrapped. Colour is the caller's.
enum ToolLines {
  /// At most this many characters of a text are looked at for a one-line view.
  static let viewLimit = 4096

  /// `⚙ label arguments`, after `lead` (the program's name), in at most `width` columns.
  static func call(label: String, arguments: JSON, lead: String, width: Int) -> String {
    let text = oneLine(arguments.stringValue ?? arguments.compactText)
    return DisplayWidth.truncate(lead + "⚙ " + oneLine(label) + (text.isEmpty ? "" : " " + text), to: width)
  }

  /// `✓ label (120 ms): preview`, or for an error `✗ label failed (exit 2, 0.4 s): preview`;
  /// the exit status only when it is not 0, the time when known, the start of `preview` (the
  /// content, or the part of it not shown as output above) when there is one.
  static func result(
    _ result: Event.ToolResult, label: String, preview: Substring, lead: String, width: Int
  ) -> String {
    var line = lead + (result.isError ? "✗ " : "✓ ") + oneLine(label)
    if result.isError { line += " failed" }
    var details: [String] = []
    if let code = result.exitCode, code != 0 { details.append("exit \(code)") }
    if let milliseconds = result.durationMs { details.append(EventRenderer.milliseconds(milliseconds)) }
    if !details.isEmpty { line += " (" + details.joined(separator: ", ") + ")" }
    let content = oneLine(preview)
    if !content.isEmpty { line += ": " + content }
    return DisplayWidth.truncate(line, to: width)
  }

  /// The rows that show one line of a tool's output: `  label│ text`, wrapped to `width`
  /// under the same prefix, so the lines of parallel calls stay apart.
  static func output(_ line: String, label: String, width: Int) -> [String] {
    // A line redrawn with carriage returns (a progress bar) shows what a terminal would leave.
    var text = Substring(line)
    if text.unicodeScalars.last == "\r" { text = Substring(text.unicodeScalars.dropLast()) }
    if let carriageReturn = text.unicodeScalars.lastIndex(of: "\r") {
      text = text[text.unicodeScalars.index(after: carriageReturn)...]
    }
    var sanitizer = Sanitizer()
    let clean = expandTabs(sanitizer.clean(String(text)))
    let lead = "  " + DisplayWidth.truncate(oneLine(label), to: max(4, width / 3)) + "│"
    guard !clean.isEmpty else { return [lead] }
    let room = max(width - DisplayWidth.of(lead) - 1, 8)
    var rows: [String] = []
    var rest = Substring(clean)
    while !rest.isEmpty {
      let (head, tail) = DisplayWidth.split(rest, fitting: room)
      rows.append(lead + " " + head)
      rest = tail
    }
    return rows
  }

  /// Text as one line: control neutralised, each run of spaces, tabs, newlines and carriage
  /// returns as one space; only the first `viewLimit` characters looked at.
  static func oneLine<Text: StringProtocol>(_ text: Text) -> String {
    var scalars = String.UnicodeScalarView()
    // A carriage return separates like a newline (the sanitizer would drop it and glue words).
    for scalar in text.unicodeScalars.prefix(viewLimit) { scalars.append(scalar == "\r" ? "\n" : scalar) }
    var sanitizer = Sanitizer()
    var line = String.UnicodeScalarView()
    var space = false
    for scalar in sanitizer.clean(String(scalars)).unicodeScalars {
      if scalar == " " || scalar == "\n" || scalar == "\t" {
        space = !line.isEmpty
        continue
      }
      if space { line.append(" ") }
      space = false
      line.append(scalar)
    }
    return String(line)
  }
}

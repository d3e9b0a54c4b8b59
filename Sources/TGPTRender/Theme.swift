/// The styles of each Markdown element and code token. A class, so the parsers made for every
/// line share one instead of copying thirty styles each time.
package final class Theme: Sendable {
  package let heading1 = Style(bold: true, foreground: .brightMagenta)
  package let heading2 = Style(bold: true, foreground: .brightBlue)
  package let heading3 = Style(bold: true, foreground: .cyan)
  package let heading = Style(bold: true)
  package let bold = Style(bold: true)
  package let italic = Style(italic: true)
  package let strikethrough = Style(strikethrough: true)
  package let inlineCode = Style(foreground: .cyan)
  package let link = Style(underline: true, foreground: .blue)
  /// The address shown after a link's text when no hyperlink can be made.
  package let linkAddress = Style(foreground: .brightBlack)
  package let bullet = Style(foreground: .yellow)
  package let quoteBar = Style(foreground: .brightBlack)
  package let quoteText = Style(italic: true)
  package let rule = Style(foreground: .brightBlack)
  package let fence = Style(foreground: .brightBlack)
  package let tableBorder = Style(foreground: .brightBlack)
  package let tableHeader = Style(bold: true)
  package let reasoning = Style(dim: true, italic: true)

  package let keyword = Style(foreground: .magenta)
  package let string = Style(foreground: .green)
  package let comment = Style(italic: true, foreground: .brightBlack)
  package let number = Style(foreground: .yellow)
  package let type = Style(foreground: .cyan)
  package let literal = Style(foreground: .yellow)
  package let punctuationKey = Style(foreground: .blue)
  package let inserted = Style(foreground: .green)
  package let deleted = Style(foreground: .red)
  package let hunk = Style(foreground: .cyan)
  package let tag = Style(foreground: .blue)

  package init() {}

  /// The default theme.
  package static let standard = Theme()

  func heading(level: Int) -> Style {
    switch level {
    case 1: heading1
    case 2: heading2
    case 3: heading3
    default: heading
    }
  }
}

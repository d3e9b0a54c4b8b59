/// The styles of each Markdown element and code token. A class, so the parsers made for every
/// line share one instead of copying thirty styles each time.
public final class Theme: Sendable {
  public let heading1 = Style(bold: true, foreground: .brightMagenta)
  public let heading2 = Style(bold: true, foreground: .brightBlue)
  public let heading3 = Style(bold: true, foreground: .cyan)
  public let heading = Style(bold: true)
  public let bold = Style(bold: true)
  public let italic = Style(italic: true)
  public let strikethrough = Style(strikethrough: true)
  public let inlineCode = Style(foreground: .cyan)
  public let link = Style(underline: true, foreground: .blue)
  /// The address shown after a link's text when no hyperlink can be made.
  public let linkAddress = Style(foreground: .brightBlack)
  public let bullet = Style(foreground: .yellow)
  public let quoteBar = Style(foreground: .brightBlack)
  public let quoteText = Style(italic: true)
  public let rule = Style(foreground: .brightBlack)
  public let fence = Style(foreground: .brightBlack)
  public let tableBorder = Style(foreground: .brightBlack)
  public let tableHeader = Style(bold: true)
  public let reasoning = Style(dim: true, italic: true)

  public let keyword = Style(foreground: .magenta)
  public let string = Style(foreground: .green)
  public let comment = Style(italic: true, foreground: .brightBlack)
  public let number = Style(foreground: .yellow)
  public let type = Style(foreground: .cyan)
  public let literal = Style(foreground: .yellow)
  public let punctuationKey = Style(foreground: .blue)
  public let inserted = Style(foreground: .green)
  public let deleted = Style(foreground: .red)
  public let hunk = Style(foreground: .cyan)
  public let tag = Style(foreground: .blue)

  public init() {}

  /// The default theme.
  public static let standard = Theme()

  func heading(level: Int) -> Style {
    switch level {
    case 1: heading1
    case 2: heading2
    case 3: heading3
    default: heading
    }
  }
}

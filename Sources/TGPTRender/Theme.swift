/// The styles of each Markdown element and code token.
public struct Theme: Sendable {
  public var heading1 = Style(bold: true, foreground: .brightMagenta)
  public var heading2 = Style(bold: true, foreground: .brightBlue)
  public var heading3 = Style(bold: true, foreground: .cyan)
  public var heading = Style(bold: true)
  public var bold = Style(bold: true)
  public var italic = Style(italic: true)
  public var strikethrough = Style(strikethrough: true)
  public var inlineCode = Style(foreground: .cyan)
  public var link = Style(underline: true, foreground: .blue)
  public var bullet = Style(foreground: .yellow)
  public var quoteBar = Style(foreground: .brightBlack)
  public var quoteText = Style(italic: true)
  public var rule = Style(foreground: .brightBlack)
  public var fence = Style(foreground: .brightBlack)
  public var tableBorder = Style(foreground: .brightBlack)
  public var tableHeader = Style(bold: true)
  public var reasoning = Style(dim: true, italic: true)

  public var keyword = Style(foreground: .magenta)
  public var string = Style(foreground: .green)
  public var comment = Style(italic: true, foreground: .brightBlack)
  public var number = Style(foreground: .yellow)
  public var type = Style(foreground: .cyan)
  public var literal = Style(foreground: .yellow)
  public var punctuationKey = Style(foreground: .blue)
  public var inserted = Style(foreground: .green)
  public var deleted = Style(foreground: .red)
  public var hunk = Style(foreground: .cyan)
  public var tag = Style(foreground: .blue)

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

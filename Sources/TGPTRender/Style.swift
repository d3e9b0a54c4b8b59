/// How a piece of text looks. Colours are the terminal's 16 palette entries, so the user's
/// theme decides the actual shades and the output stays readable on light and dark backgrounds.
package struct Style: Hashable, Sendable {
  /// A palette colour: 0–7 normal, 8–15 bright.
  package enum Color: UInt8, Sendable {
    case black = 0, red, green, yellow, blue, magenta, cyan, white
    case brightBlack, brightRed, brightGreen, brightYellow, brightBlue, brightMagenta, brightCyan, brightWhite
  }

  package var bold = false
  package var dim = false
  package var italic = false
  package var underline = false
  package var strikethrough = false
  package var foreground: Color?
  /// A URL to link the text to (OSC 8), when hyperlinks are on.
  package var link: String? {
    get { linkID == 0 ? nil : LinkTable.url(linkID) }
    set { linkID = newValue.map(LinkTable.id) ?? 0 }
  }
  /// The link as its number in `LinkTable` (0: none). Kept as a number, not a string, so a
  /// style is plain bits: copied and compared without reference counting, millions of times
  /// in a long answer.
  var linkID: UInt32 = 0

  package init(
    bold: Bool = false, dim: Bool = false, italic: Bool = false, underline: Bool = false,
    strikethrough: Bool = false, foreground: Color? = nil, link: String? = nil
  ) {
    self.bold = bold
    self.dim = dim
    self.italic = italic
    self.underline = underline
    self.strikethrough = strikethrough
    self.foreground = foreground
    self.link = link
  }

  /// No attributes.
  package static let plain = Style()

  /// Whether this style sets no SGR attribute (a link alone needs none).
  var isPlainSGR: Bool {
    !bold && !dim && !italic && !underline && !strikethrough && foreground == nil
  }

  /// This style with `other`'s attributes added on top.
  func merged(with other: Style) -> Style {
    var result = self
    result.bold = bold || other.bold
    result.dim = dim || other.dim
    result.italic = italic || other.italic
    result.underline = underline || other.underline
    result.strikethrough = strikethrough || other.strikethrough
    result.foreground = other.foreground ?? foreground
    result.linkID = other.linkID != 0 ? other.linkID : linkID
    return result
  }

  /// Appends the SGR sequence that sets exactly this style (after a reset).
  func appendSGR(to out: inout [UInt8]) {
    out.append(contentsOf: [0x1B, UInt8(ascii: "["), UInt8(ascii: "0")])
    func add(_ code: UInt8) {
      out.append(UInt8(ascii: ";"))
      if code >= 100 { out.append(UInt8(ascii: "0") + code / 100) }
      if code >= 10 { out.append(UInt8(ascii: "0") + (code / 10) % 10) }
      out.append(UInt8(ascii: "0") + code % 10)
    }
    if bold { add(1) }
    if dim { add(2) }
    if italic { add(3) }
    if underline { add(4) }
    if strikethrough { add(9) }
    if let foreground {
      add(foreground.rawValue < 8 ? 30 + foreground.rawValue : 90 + foreground.rawValue - 8)
    }
    out.append(UInt8(ascii: "m"))
  }
}

/// A run of text in one style, with its display width.
package struct Span: Hashable, Sendable {
  package var text: String
  package var style: Style
  package var width: Int

  package init(_ text: String, _ style: Style = .plain) {
    self.text = text
    self.style = style
    self.width = DisplayWidth.of(text)
  }

  init(_ text: String, _ style: Style, width: Int) {
    self.text = text
    self.style = style
    self.width = width
  }
}

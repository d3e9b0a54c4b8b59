/// What the inline parser writes to the layout, and the byte and character tests it uses.
extension InlineParser {
  // MARK: - Output

  mutating func emit(_ bytes: UnsafeBufferPointer<UInt8>, into layout: inout LineLayout) {
    guard !bytes.isEmpty else { return }
    layout.add(bytes, style)
    previous = Self.lastScalar(bytes) ?? previous
  }

  mutating func emit(_ bytes: [UInt8], into layout: inout LineLayout) {
    bytes.withUnsafeBufferPointer { emit($0, into: &layout) }
  }

  mutating func emit(_ text: String, into layout: inout LineLayout) {
    var copy = text
    copy.withUTF8 { emit($0, into: &layout) }
  }

  mutating func emitCode(into layout: inout LineLayout) {
    var content = held[...]
    // One space on each side is padding (so "`` `x` ``" can show backticks), unless all spaces.
    if content.count >= 2, content.first == 0x20, content.last == 0x20, content.contains(where: { $0 != 0x20 }) {
      content = content.dropFirst().dropLast()
    }
    let codeStyle = base.merged(with: theme.inlineCode)
    content.withUnsafeBufferPointer { layout.add($0, codeStyle) }
    held.removeAll(keepingCapacity: true)
    previous = "`"
  }

  mutating func emitLink(into layout: inout LineLayout) {
    var linkStyle = style.merged(with: theme.link)
    let hyperlinked = hyperlinks && Self.isSafeURL(heldURL)
    if hyperlinked { linkStyle.link = String(decoding: heldURL, as: UTF8.self) }
    let shown = held.isEmpty ? heldURL : held
    shown.withUnsafeBufferPointer { layout.add($0, linkStyle) }
    // Without a hyperlink the address would be lost: show it after the text.
    if !hyperlinked, !held.isEmpty, held != heldURL, !heldURL.isEmpty {
      let address = [UInt8](" (".utf8) + heldURL + [UInt8(ascii: ")")]
      address.withUnsafeBufferPointer { layout.add($0, style.merged(with: theme.linkAddress)) }
    }
    held.removeAll(keepingCapacity: true)
    heldURL.removeAll(keepingCapacity: true)
    previous = ")"
  }

  /// Shows a link that turned out not to be one as the text it was.
  mutating func giveUpLink(image: Bool, closed: Bool, url: Bool, into layout: inout LineLayout) {
    mode = .text
    showLink(image: image, closed: closed, url: url, into: &layout)
    held.removeAll(keepingCapacity: true)
    heldURL.removeAll(keepingCapacity: true)
  }

  mutating func showLink(image: Bool, closed: Bool, url: Bool, into layout: inout LineLayout) {
    emit(image ? "![" : "[", into: &layout)
    emit(held, into: &layout)
    if closed { emit(url ? "](" : "]", into: &layout) }
    if url { emit(heldURL, into: &layout) }
  }

  // MARK: - Bytes and characters

  @inline(__always)
  static func isSpecial(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "`"), UInt8(ascii: "["),
      UInt8(ascii: "!"), UInt8(ascii: "\\"):
      return true
    default:
      return false
    }
  }

  @inline(__always)
  static func endsURL(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: ")") || byte == UInt8(ascii: "(") || byte <= 0x20 || byte >= 0x80
  }

  /// The length of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte).
  static func scalarLength(_ lead: UInt8) -> Int {
    switch lead {
    case 0xF0...: 4
    case 0xE0...: 3
    case 0xC0...: 2
    default: 1
    }
  }

  static func scalar(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Unicode.Scalar {
    if end - start == 1 { return Unicode.Scalar(bytes[start]) }
    return String(decoding: bytes[start..<end], as: UTF8.self).unicodeScalars.first ?? "\u{FFFD}"
  }

  /// The last scalar of some UTF-8 text.
  static func lastScalar(_ bytes: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
    guard let last = bytes.last else { return nil }
    if last < 0x80 { return Unicode.Scalar(last) }
    var start = bytes.count - 1
    while start > 0, bytes[start] & 0xC0 == 0x80, bytes.count - start < 4 { start -= 1 }
    return String(decoding: bytes[start...], as: UTF8.self).unicodeScalars.last
  }

  /// Only plain, printable URLs go into an OSC 8 sequence.
  static func isSafeURL(_ url: [UInt8]) -> Bool {
    !url.isEmpty && url.allSatisfy { $0 > 0x20 && $0 < 0x7F }
  }

  static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
    (0x21...0x2F).contains(byte) || (0x3A...0x40).contains(byte) || (0x5B...0x60).contains(byte)
      || (0x7B...0x7E).contains(byte)
  }

  /// CommonMark's punctuation: Unicode punctuation and symbols.
  static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.isASCII { return isASCIIPunctuation(UInt8(scalar.value)) }
    switch scalar.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
      .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
      return true
    default:
      return false
    }
  }
}

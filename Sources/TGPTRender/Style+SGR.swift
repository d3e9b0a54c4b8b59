extension Style {
  /// The style's SGR attributes as a number below `sgrCount`: five flags and the colour.
  var sgrIndex: Int {
    var flags = 0
    if bold { flags |= 1 }
    if dim { flags |= 2 }
    if italic { flags |= 4 }
    if underline { flags |= 8 }
    if strikethrough { flags |= 16 }
    return flags * 17 + (foreground.map { Int($0.rawValue) + 1 } ?? 0)
  }

  static let sgrCount = 32 * 17

  /// The SGR sequence of every `sgrIndex`, made once (styled output writes one per run).
  static let sgrSequences: [[UInt8]] = (0..<sgrCount).map { index in
    let flags = index / 17
    let color = index % 17
    let style = Style(
      bold: flags & 1 != 0, dim: flags & 2 != 0, italic: flags & 4 != 0, underline: flags & 8 != 0,
      strikethrough: flags & 16 != 0, foreground: color == 0 ? nil : Color(rawValue: UInt8(color - 1)))
    var sequence: [UInt8] = []
    style.appendSGR(to: &sequence)
    return sequence
  }
}

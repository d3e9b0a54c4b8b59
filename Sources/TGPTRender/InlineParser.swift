/// Turns the text of one Markdown line into styled runs, as it streams in: emphasis (`*`, `_`,
/// `**`, `***`), strikethrough (`~~`), code spans, links and images (`[text](url)`),
/// backslash escapes.
///
/// Emphasis is decided when its delimiter run is complete and the next character is known
/// (CommonMark's flanking rules); code spans and links are held until they close, and shown
/// literally if the line ends first. Nothing depends on how the text was split into calls.
struct InlineParser {
  private let theme: Theme
  private let base: Style
  private let hyperlinks: Bool

  private var bold = false
  private var italic = false
  private var strike = false
  /// The character before the current position (nil at the start of the line).
  private var previous: Character?
  /// A run of `*`, `_` or `~` waiting for the character after it.
  private var run: (character: Character, count: Int)?
  private var backslash = false
  private var mode = Mode.text
  /// The code span's content or the link's text, held until it closes.
  private var held = ""
  /// The link's URL, held until it closes.
  private var heldURL = ""

  private enum Mode {
    case text
    /// Inside a code span opened by `ticks` backticks (`opening` while the opening run may still
    /// grow); `closing` counts a backtick run inside it.
    case code(ticks: Int, closing: Int, opening: Bool)
    /// After `[` (or `![`): collecting the link text with its bracket depth, then the URL.
    case linkText(depth: Int, image: Bool)
    case linkAfterText(image: Bool)
    case linkURL(depth: Int, image: Bool)
    /// After `!`, which starts an image only when `[` follows.
    case bang
  }

  /// Links longer than this are shown literally rather than held further.
  private static let holdLimit = 2000

  init(theme: Theme, base: Style, hyperlinks: Bool) {
    self.theme = theme
    self.base = base
    self.hyperlinks = hyperlinks
  }

  private var currentStyle: Style {
    var style = base
    if bold { style = style.merged(with: theme.bold) }
    if italic { style = style.merged(with: theme.italic) }
    if strike { style = style.merged(with: theme.strikethrough) }
    return style
  }

  /// Feeds text of the current line (no newlines).
  mutating func feed(_ text: Substring, into layout: inout LineLayout) {
    var index = text.startIndex
    while index != text.endIndex {
      if case .text = mode, run == nil, !backslash {
        // Fast path: copy everything up to the next character with a meaning.
        let utf8 = text.utf8
        var end = index
        while end != text.endIndex, !Self.isSpecial(utf8[end]) { end = utf8.index(after: end) }
        if end != index {
          let plain = text[index..<end]
          layout.add(plain, currentStyle)
          previous = plain.last
          index = end
          continue
        }
      }
      let next = text.index(after: index)
      step(text[index], into: &layout)
      index = next
    }
  }

  /// Ends the line: pending runs are resolved, unclosed code spans and links shown as typed,
  /// and emphasis ends.
  mutating func finishLine(into layout: inout LineLayout) {
    if let pending = run {
      run = nil
      resolveRun(pending, next: nil, into: &layout)
    }
    if backslash {
      backslash = false
      emit("\\", into: &layout)
    }
    switch mode {
    case .text: break
    case .bang: emit("!", into: &layout)
    case .code(let ticks, let closing, let opening):
      if closing == ticks, !opening {
        emitCode(held, into: &layout)
      } else {
        emit(String(repeating: "`", count: ticks) + held + String(repeating: "`", count: closing), into: &layout)
      }
    case .linkText(_, let image): emit((image ? "![" : "[") + held, into: &layout)
    case .linkAfterText(let image): emit((image ? "![" : "[") + held + "]", into: &layout)
    case .linkURL(_, let image): emit((image ? "![" : "[") + held + "](" + heldURL, into: &layout)
    }
    held = ""
    heldURL = ""
    mode = .text
    bold = false
    italic = false
    strike = false
    previous = nil
  }

  private static func isSpecial(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "`"), UInt8(ascii: "["),
      UInt8(ascii: "!"), UInt8(ascii: "\\"):
      return true
    default:
      return false
    }
  }

  private mutating func emit(_ text: String, into layout: inout LineLayout) {
    layout.add(Substring(text), currentStyle)
    if let last = text.last { previous = last }
  }

  private mutating func step(_ character: Character, into layout: inout LineLayout) {
    switch mode {
    case .text:
      stepText(character, into: &layout)
    case .bang:
      mode = .text
      if character == "[" {
        mode = .linkText(depth: 1, image: true)
      } else {
        emit("!", into: &layout)
        stepText(character, into: &layout)
      }
    case .code(let ticks, let closing, let opening):
      if character == "`" {
        mode =
          opening
          ? .code(ticks: ticks + 1, closing: 0, opening: true)
          : .code(ticks: ticks, closing: closing + 1, opening: false)
        return
      }
      if closing == ticks {
        mode = .text
        emitCode(held, into: &layout)
        held = ""
        stepText(character, into: &layout)
        return
      }
      held += String(repeating: "`", count: closing)
      held.append(character)
      mode = .code(ticks: ticks, closing: 0, opening: false)
    case .linkText(var depth, let image):
      if character == "]" {
        depth -= 1
        if depth == 0 {
          mode = .linkAfterText(image: image)
          return
        }
      } else if character == "[" {
        depth += 1
      }
      held.append(character)
      mode = .linkText(depth: depth, image: image)
      if held.utf8.count > Self.holdLimit { giveUpLink(image: image, url: nil, into: &layout) }
    case .linkAfterText(let image):
      if character == "(" {
        mode = .linkURL(depth: 1, image: image)
      } else {
        mode = .text
        emit((image ? "![" : "[") + held + "]", into: &layout)
        held = ""
        stepText(character, into: &layout)
      }
    case .linkURL(var depth, let image):
      if character == ")" {
        depth -= 1
        if depth == 0 {
          mode = .text
          emitLink(text: held, url: heldURL, into: &layout)
          held = ""
          heldURL = ""
          return
        }
      } else if character == "(" {
        depth += 1
      } else if character.isWhitespace {
        giveUpLink(image: image, url: heldURL, into: &layout)
        stepText(character, into: &layout)
        return
      }
      heldURL.append(character)
      mode = .linkURL(depth: depth, image: image)
      if heldURL.utf8.count > Self.holdLimit { giveUpLink(image: image, url: heldURL, into: &layout) }
    }
  }

  /// Shows a link that turned out not to be one as the text it was.
  private mutating func giveUpLink(image: Bool, url: String?, into layout: inout LineLayout) {
    mode = .text
    emit((image ? "![" : "[") + held + (url.map { "](" + $0 } ?? ""), into: &layout)
    held = ""
    heldURL = ""
  }

  private mutating func stepText(_ character: Character, into layout: inout LineLayout) {
    if backslash {
      backslash = false
      if let ascii = character.asciiValue, Self.isASCIIPunctuation(ascii) {
        flushRun(next: character, into: &layout)
        emit(String(character), into: &layout)
      } else {
        flushRun(next: "\\", into: &layout)
        emit("\\", into: &layout)
        stepText(character, into: &layout)
      }
      return
    }
    if character == "*" || character == "_" || character == "~" {
      if let pending = run, pending.character == character {
        run = (character, pending.count + 1)
        return
      }
      flushRun(next: character, into: &layout)
      run = (character, 1)
      return
    }
    flushRun(next: character, into: &layout)
    switch character {
    case "\\": backslash = true
    case "`": mode = .code(ticks: 1, closing: 0, opening: true)
    case "[": mode = .linkText(depth: 1, image: false)
    case "!": mode = .bang
    default: emit(String(character), into: &layout)
    }
  }

  /// Resolves a pending delimiter run now that the character after it is known.
  private mutating func flushRun(next: Character, into layout: inout LineLayout) {
    guard let pending = run else { return }
    run = nil
    resolveRun(pending, next: next, into: &layout)
  }

  /// Decides what a delimiter run means, from the characters on either side of it.
  private mutating func resolveRun(
    _ run: (character: Character, count: Int), next: Character?, into layout: inout LineLayout
  ) {
    let before = previous
    let beforeSpace = before.map { $0.isWhitespace } ?? true
    let afterSpace = next.map { $0.isWhitespace } ?? true
    let beforePunctuation = before.map(Self.isPunctuation) ?? false
    let afterPunctuation = next.map(Self.isPunctuation) ?? false
    let leftFlanking = !afterSpace && (!afterPunctuation || beforeSpace || beforePunctuation)
    let rightFlanking = !beforeSpace && (!beforePunctuation || afterSpace || afterPunctuation)
    var canOpen = leftFlanking
    var canClose = rightFlanking
    if run.character == "_" {
      canOpen = leftFlanking && (!rightFlanking || beforePunctuation)
      canClose = rightFlanking && (!leftFlanking || afterPunctuation)
    }
    var count = run.count
    if run.character == "~" {
      if count == 2, strike, canClose {
        strike = false
      } else if count == 2, !strike, canOpen {
        strike = true
      } else {
        emit(String(repeating: "~", count: count), into: &layout)
      }
      previous = "~"
      return
    }
    if canClose, bold || italic {
      if count >= 2, bold {
        bold = false
        count -= 2
      }
      if count >= 1, italic {
        italic = false
        count -= 1
      }
    }
    if count > 0, canOpen, !(canClose && (bold || italic)) {
      if count >= 3, !bold, !italic {
        bold = true
        italic = true
        count -= 3
      } else if count == 2, !bold {
        bold = true
        count = 0
      } else if count == 1, !italic {
        italic = true
        count = 0
      }
    }
    if count > 0 { emit(String(repeating: run.character, count: count), into: &layout) }
    previous = run.character
  }

  private mutating func emitCode(_ raw: String, into layout: inout LineLayout) {
    var content = Substring(raw)
    // One space on each side is padding (so "`` `x` ``" can show backticks), unless all spaces.
    if content.count >= 2, content.first == " ", content.last == " ", content.contains(where: { $0 != " " }) {
      content = content.dropFirst().dropLast()
    }
    layout.add(content, base.merged(with: theme.inlineCode))
    previous = "`"
  }

  private mutating func emitLink(text: String, url: String, into layout: inout LineLayout) {
    var style = currentStyle.merged(with: theme.link)
    if hyperlinks, Self.isSafeURL(url) { style.link = url }
    let shown = text.isEmpty ? url : text
    layout.add(Substring(shown), style)
    previous = ")"
  }

  /// Only plain, printable URLs go into an OSC 8 sequence.
  private static func isSafeURL(_ url: String) -> Bool {
    !url.isEmpty && url.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
  }

  private static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
    (0x21...0x2F).contains(byte) || (0x3A...0x40).contains(byte) || (0x5B...0x60).contains(byte)
      || (0x7B...0x7E).contains(byte)
  }

  private static func isPunctuation(_ character: Character) -> Bool {
    character.isPunctuation || character.isSymbol
  }
}

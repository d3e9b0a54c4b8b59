/// Turns the text of one Markdown line into styled runs, as it streams in: emphasis (`*`, `_`,
/// `**`, `***`), strikethrough (`~~`), code spans, links and images (`[text](url)`),
/// backslash escapes.
///
/// Emphasis is decided when its delimiter run is complete and the next character is known
/// (CommonMark's flanking rules); code spans and links are held until they close, and shown
/// literally if the line ends first. Nothing depends on how the text was split into calls.
/// It works on UTF-8 bytes: every character with a meaning here is ASCII, and runs of other
/// bytes are copied whole.
struct InlineParser {
  let theme: Theme
  let base: Style
  let hyperlinks: Bool

  var bold = false
  var italic = false
  var strike = false
  var style: Style
  /// The character before the current position (nil at the start of the line).
  var previous: Unicode.Scalar?
  /// A run of `*`, `_` or `~` waiting for the character after it.
  var run: (byte: UInt8, count: Int)?
  var backslash = false
  var mode = Mode.text
  /// The code span's content or the link's text, held until it closes.
  var held: [UInt8] = []
  /// The link's URL, held until it closes.
  var heldURL: [UInt8] = []

  enum Mode {
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
  static let holdLimit = 2000

  /// Emphasis open at a point of the text.
  struct Emphasis: Equatable {
    var bold = false
    var italic = false
    var strike = false
    var isOpen: Bool { bold || italic || strike }
  }

  init(theme: Theme, base: Style, hyperlinks: Bool, emphasis: Emphasis = Emphasis()) {
    self.theme = theme
    self.base = base
    self.hyperlinks = hyperlinks
    bold = emphasis.bold
    italic = emphasis.italic
    strike = emphasis.strike
    style = base
    updateStyle()
  }

  mutating func updateStyle() {
    var current = base
    if bold { current = current.merged(with: theme.bold) }
    if italic { current = current.merged(with: theme.italic) }
    if strike { current = current.merged(with: theme.strikethrough) }
    style = current
  }

  /// Feeds text of the current line (no newlines).
  mutating func feed(_ text: UnsafeBufferPointer<UInt8>, into layout: inout LineLayout) {
    var index = 0
    let count = text.count
    while index < count {
      // Fast paths: whole runs of bytes that cannot change the state.
      switch mode {
      case .text where run == nil && !backslash:
        var end = index
        while end < count, !Self.isSpecial(text[end]) { end += 1 }
        if end > index {
          let plain = UnsafeBufferPointer(rebasing: text[index..<end])
          layout.add(plain, style)
          previous = Self.lastScalar(plain)
          index = end
          continue
        }
      case .code(_, 0, false):
        var end = index
        while end < count, text[end] != UInt8(ascii: "`") { end += 1 }
        if end > index {
          held.append(contentsOf: text[index..<end])
          index = end
          continue
        }
      case .linkText:
        var end = index
        while end < count, text[end] != UInt8(ascii: "]"), text[end] != UInt8(ascii: "[") { end += 1 }
        if end > index, held.count + end - index <= Self.holdLimit {
          held.append(contentsOf: text[index..<end])
          index = end
          continue
        }
      case .linkURL:
        var end = index
        while end < count, !Self.endsURL(text[end]) { end += 1 }
        if end > index, heldURL.count + end - index <= Self.holdLimit {
          heldURL.append(contentsOf: text[index..<end])
          index = end
          continue
        }
      default:
        break
      }
      let length = Self.scalarLength(text[index])
      let end = min(index + length, count)
      step(Self.scalar(text, index, end), bytes: UnsafeBufferPointer(rebasing: text[index..<end]), into: &layout)
      index = end
    }
  }

  /// Ends the line: pending runs are resolved, unclosed code spans and links shown as typed.
  /// Returns the emphasis still open (a paragraph's next line continues it).
  @discardableResult
  mutating func finishLine(into layout: inout LineLayout) -> Emphasis {
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
        emitCode(into: &layout)
      } else {
        emit(String(repeating: "`", count: ticks), into: &layout)
        emit(held, into: &layout)
        emit(String(repeating: "`", count: closing), into: &layout)
      }
    case .linkText(_, let image): showLink(image: image, closed: false, url: false, into: &layout)
    case .linkAfterText(let image): showLink(image: image, closed: true, url: false, into: &layout)
    case .linkURL(_, let image): showLink(image: image, closed: true, url: true, into: &layout)
    }
    mode = .text
    held.removeAll()
    heldURL.removeAll()
    let open = Emphasis(bold: bold, italic: italic, strike: strike)
    bold = false
    italic = false
    strike = false
    updateStyle()
    previous = nil
    return open
  }

  // MARK: - One character

  mutating func step(_ scalar: Unicode.Scalar, bytes: UnsafeBufferPointer<UInt8>, into layout: inout LineLayout) {
    switch mode {
    case .text:
      stepText(scalar, bytes: bytes, into: &layout)
    case .bang:
      mode = .text
      if scalar == "[" {
        mode = .linkText(depth: 1, image: true)
      } else {
        emit("!", into: &layout)
        stepText(scalar, bytes: bytes, into: &layout)
      }
    case .code(let ticks, let closing, let opening):
      if scalar == "`" {
        mode =
          opening
          ? .code(ticks: ticks + 1, closing: 0, opening: true)
          : .code(ticks: ticks, closing: closing + 1, opening: false)
        return
      }
      if closing == ticks {
        mode = .text
        emitCode(into: &layout)
        stepText(scalar, bytes: bytes, into: &layout)
        return
      }
      held.append(contentsOf: repeatElement(UInt8(ascii: "`"), count: closing))
      held.append(contentsOf: bytes)
      mode = .code(ticks: ticks, closing: 0, opening: false)
    case .linkText(var depth, let image):
      if scalar == "]" {
        depth -= 1
        if depth == 0 {
          mode = .linkAfterText(image: image)
          return
        }
      } else if scalar == "[" {
        depth += 1
      }
      held.append(contentsOf: bytes)
      mode = .linkText(depth: depth, image: image)
      if held.count > Self.holdLimit { giveUpLink(image: image, closed: false, url: false, into: &layout) }
    case .linkAfterText(let image):
      if scalar == "(" {
        mode = .linkURL(depth: 1, image: image)
      } else {
        giveUpLink(image: image, closed: true, url: false, into: &layout)
        stepText(scalar, bytes: bytes, into: &layout)
      }
    case .linkURL(var depth, let image):
      if scalar == ")" {
        depth -= 1
        if depth == 0 {
          mode = .text
          emitLink(into: &layout)
          return
        }
      } else if scalar == "(" {
        depth += 1
      } else if scalar.properties.isWhitespace {
        giveUpLink(image: image, closed: true, url: true, into: &layout)
        stepText(scalar, bytes: bytes, into: &layout)
        return
      }
      heldURL.append(contentsOf: bytes)
      mode = .linkURL(depth: depth, image: image)
      if heldURL.count > Self.holdLimit { giveUpLink(image: image, closed: true, url: true, into: &layout) }
    }
  }

  mutating func stepText(
    _ scalar: Unicode.Scalar, bytes: UnsafeBufferPointer<UInt8>, into layout: inout LineLayout
  ) {
    if backslash {
      backslash = false
      if scalar.isASCII, Self.isASCIIPunctuation(UInt8(scalar.value)) {
        flushRun(next: scalar, into: &layout)
        emit(bytes, into: &layout)
      } else {
        flushRun(next: "\\", into: &layout)
        emit("\\", into: &layout)
        stepText(scalar, bytes: bytes, into: &layout)
      }
      return
    }
    if scalar == "*" || scalar == "_" || scalar == "~" {
      let byte = UInt8(scalar.value)
      if let pending = run, pending.byte == byte {
        run = (byte, pending.count + 1)
        return
      }
      flushRun(next: scalar, into: &layout)
      run = (byte, 1)
      return
    }
    flushRun(next: scalar, into: &layout)
    switch scalar {
    case "\\": backslash = true
    case "`": mode = .code(ticks: 1, closing: 0, opening: true)
    case "[": mode = .linkText(depth: 1, image: false)
    case "!": mode = .bang
    default: emit(bytes, into: &layout)
    }
  }

  /// Resolves a pending delimiter run now that the character after it is known.
  mutating func flushRun(next: Unicode.Scalar, into layout: inout LineLayout) {
    guard let pending = run else { return }
    run = nil
    resolveRun(pending, next: next, into: &layout)
  }

  /// Decides what a delimiter run means, from the characters on either side of it.
  mutating func resolveRun(
    _ run: (byte: UInt8, count: Int), next: Unicode.Scalar?, into layout: inout LineLayout
  ) {
    let before = previous
    let beforeSpace = before.map { $0.properties.isWhitespace } ?? true
    let afterSpace = next.map { $0.properties.isWhitespace } ?? true
    let beforePunctuation = before.map(Self.isPunctuation) ?? false
    let afterPunctuation = next.map(Self.isPunctuation) ?? false
    let leftFlanking = !afterSpace && (!afterPunctuation || beforeSpace || beforePunctuation)
    let rightFlanking = !beforeSpace && (!beforePunctuation || afterSpace || afterPunctuation)
    var canOpen = leftFlanking
    var canClose = rightFlanking
    if run.byte == UInt8(ascii: "_") {
      canOpen = leftFlanking && (!rightFlanking || beforePunctuation)
      canClose = rightFlanking && (!leftFlanking || afterPunctuation)
    }
    var count = run.count
    let character = Unicode.Scalar(run.byte)
    defer {
      updateStyle()
      previous = character
    }
    if run.byte == UInt8(ascii: "~") {
      if count == 2, strike, canClose {
        strike = false
      } else if count == 2, !strike, canOpen {
        strike = true
      } else {
        emit(String(repeating: "~", count: count), into: &layout)
      }
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
    if count > 0 {
      updateStyle()
      emit(String(repeating: Character(character), count: count), into: &layout)
    }
  }
}

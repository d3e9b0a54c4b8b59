/// Cuts streamed Markdown answer text into sentences for speech (`tgpt-render --sentences`,
/// `--speak`), each as soon as it is complete, as plain text: Markdown removed, control
/// characters gone, whitespace folded to single spaces.
///
/// Fed chunk by chunk, it gives the same sentences however the text is split. A sentence ends
/// at `.`, `!`, `?` or `…` (runs such as `?!` and `...` included, closing quotes, brackets and
/// emphasis markers after them kept) followed by whitespace and then by something that is not a
/// lowercase letter; so a sentence is given out once the first letter after it arrives, or at
/// the end of the answer (`finish`). Not ends: decimals and versions (`3.14`, `v1.2.3`) and
/// URLs (no space after the dot), titles and Latin abbreviations (`Dr.`, `Mr.`, `e.g.`, `i.e.`,
/// `vs.`), single capital initials (`J. R. R. Tolkien`), `No. 5`, and dotted abbreviations
/// (`U.S.`, `a.m.`) unless a capital letter follows. CJK full stops (`。！？`) end a sentence
/// without a space. A blank line, a heading, a list item, a table row or a rule ends a
/// sentence; a heading, list item and table row are sentences of their own. Fenced code blocks
/// are skipped, not spoken; inline code is kept as its text, a link as its text (neither is
/// cut into sentences within its line).
package struct SentenceSplitter: Sendable {
  private var sanitizer = Sanitizer()
  /// The start of the current line, while its kind is not known yet.
  private var line: [Unicode.Scalar] = []
  /// The kind of the current line, once known.
  private var kind: SpokenLine?
  /// The open fenced code block.
  private var fence: SpokenLine.Fence?
  /// Markdown text of the sentence (or sentences) not given out yet.
  var pending: [Unicode.Scalar] = []
  /// How far `pending` has been looked through for sentence ends.
  var scanned = 0
  /// The length of the backtick run that opened the inline code span `scanned` is in (0: none).
  var codeTicks = 0
  /// How many `[` of link texts `scanned` is inside: a link's text is not cut.
  var linkDepth = 0
  /// Sentences complete, not taken yet.
  var sentences: [String] = []

  package init() {}

  /// How long a line outside code may stay unclassified.
  static let longestUndecided = 256

  /// Takes in the next piece of the answer; returns the sentences it completed.
  package mutating func feed(_ text: String) -> [String] {
    for scalar in sanitizer.clean(text).unicodeScalars { step(scalar) }
    return take()
  }

  /// The answer ended: returns the sentences it still held, the last one even without a full
  /// stop, and starts afresh for the next answer.
  package mutating func finish() -> [String] {
    if kind != nil || !line.isEmpty { endLine() }
    endSentence()
    sanitizer = Sanitizer()
    fence = nil
    return take()
  }

  private mutating func take() -> [String] {
    defer { sentences = [] }
    return sentences
  }

  private mutating func step(_ scalar: Unicode.Scalar) {
    if scalar == "\n" { return endLine() }
    guard let kind else {
      line.append(scalar)
      return decide(ended: false)
    }
    switch kind {
    case .text, .heading, .listItem:
      pending.append(scalar)
      scan(final: false)
    default:
      break
    }
  }

  /// Classifies the current line once its start shows what it is.
  private mutating func decide(ended: Bool) {
    var classified = SpokenLine.classify(line, ended: ended, fence: fence)
    // A line still undecided after this many characters (a run of spaces, `>` or `- - -`) is
    // text: deciding again at every character would cost its length squared.
    if classified == nil, fence == nil, line.count > Self.longestUndecided { classified = .text(rest: 0) }
    guard let decided = classified else { return }
    kind = decided
    switch decided {
    case .blank, .rule:
      endSentence()
    case .text(let rest):
      pending.append(contentsOf: line[rest...])
    case .heading(let rest), .listItem(let rest):
      endSentence()
      pending.append(contentsOf: line[rest...])
    case .fence(let opened):
      endSentence()
      fence = opened
    case .closingFence:
      fence = nil
    case .code:
      break
    case .tableRow(let cells):
      endSentence()
      pending = Array(cells.joined(separator: ", ").unicodeScalars)
      endSentence()
    }
    line = []
    scan(final: false)
  }

  private mutating func endLine() {
    if kind == nil { decide(ended: true) }
    switch kind {
    case .heading, .listItem:
      endSentence()
    case .text:
      pending.append("\n")
      scan(final: false)
    default:
      break
    }
    kind = nil
    line = []
  }

  /// Gives out every sentence in `pending`, the last one whatever its ending.
  private mutating func endSentence() {
    scan(final: true)
    emit(upTo: pending.count)
  }

  /// Gives out `pending[..<end]` as a sentence (when it has something to say).
  mutating func emit(upTo end: Int) {
    if let sentence = SpeechText.plain(pending[..<end]) { sentences.append(sentence) }
    pending.removeFirst(end)
    scanned = 0
    codeTicks = 0
    linkDepth = 0
  }
}

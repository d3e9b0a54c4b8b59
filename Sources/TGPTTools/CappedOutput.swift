/// A tool's stdout as it arrives: text pieces to stream, kept up to a byte limit.
///
/// The pieces never split a UTF-8 character, and `text` is exactly their concatenation. Past
/// `limit` bytes the output is cut (at the last whole character within the limit) and no
/// more is taken: a tool printing 10 MB costs `limit` bytes of memory, not 10 MB.
struct CappedOutput {
  let limit: Int
  /// The text handed out so far.
  private(set) var text = ""
  /// Whether the output went past the limit.
  private(set) var isCut = false
  private var taken = 0
  private var pieces = UTF8Pieces()

  init(limit: Int) { self.limit = limit }

  /// Takes one read; returns the text to hand out now (possibly empty).
  mutating func take(_ bytes: UnsafeRawBufferPointer) -> String {
    guard !isCut else { return "" }
    var accepted = bytes
    if taken + bytes.count > limit {
      isCut = true
      accepted = UnsafeRawBufferPointer(rebasing: bytes[0..<(limit - taken)])
    }
    taken += accepted.count
    let piece = pieces.text(of: accepted)
    // A character the limit cut through is dropped rather than shown as U+FFFD.
    if isCut { _ = pieces.finish() }
    text += piece
    return piece
  }

  /// The end of the output: what was held back of a last, incomplete character.
  mutating func finish() -> String {
    let rest = pieces.finish()
    text += rest
    return rest
  }
}

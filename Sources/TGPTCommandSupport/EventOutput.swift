package import TGPTEvents

/// Where a command's events go: NDJSON on stdout, or with `--text` only the answer text.
///
/// A failure is both the `error` event on stdout (for programs) and one line on stderr (for
/// people: a reader such as `jq` may drop the event, and cron mails stderr).
///
/// In text mode each answer ends with a newline when its text has none, so answers appended
/// to one file (`>> haiku.txt`) stay on lines of their own; `exact` writes the text byte for
/// byte instead. An empty answer writes nothing either way.
package final class EventOutput: Sendable {
  private let textOnly: Bool
  private let exact: Bool
  private let writer = EventWriter(fd: 1)
  private let stderrIsTerminal = FileIO.isTerminal(2)
  /// For the answer being written in text mode: nil before its first text, then whether the
  /// text so far ends with a newline.
  private let endedWithNewline = AtomicFlag()

  /// `exact` matters only with `textOnly`.
  package init(textOnly: Bool, exact: Bool = false) {
    self.textOnly = textOnly
    self.exact = exact
  }

  /// Writes one event (or its text); throws `ProtocolError` when stdout is closed.
  package func write(_ event: Event) throws(ProtocolError) {
    switch event.payload {
    case .error(let failure):
      // The partial answer's line ends before the message about it (on a terminal they share a screen).
      try? endAnswer()
      Diagnostics.error(failure.message)
      if !textOnly { try writer.write(event) }
    case .retry(let retry):
      if stderrIsTerminal {
        Diagnostics.note("retrying in \(Self.seconds(retry.delayMs)): \(retry.reason)")
      }
      if !textOnly { try writer.write(event) }
    case .chunk(let chunk) where textOnly:
      guard !chunk.content.isEmpty else { return }
      try FileIO.writeAll(1, chunk.content)
      endedWithNewline.set(chunk.content.hasSuffix("\n"))
    case .complete where textOnly:
      try endAnswer()
    default:
      if !textOnly { try writer.write(event) }
    }
  }

  /// A failure before the request was made (configuration, missing key, an early signal):
  /// reported as the one terminal event of the turn. Returns the exit code.
  @discardableResult
  package func reportFailure(message: String, kind: ErrorKind, id: String?, sessionID: String? = nil) -> Int32 {
    let failure = Event.Failure(message: message, code: kind)
    try? write(Event(.error(failure), id: id, sessionID: sessionID))
    return kind.exitCode
  }

  /// Ends an answer whose text is still open (a run that ended without a terminal event).
  package func finish() {
    try? endAnswer()
  }

  /// In text mode, writes the newline the answer's text lacks, unless `exact`.
  private func endAnswer() throws(ProtocolError) {
    guard textOnly else { return }
    let open = endedWithNewline.isSet == false
    endedWithNewline.clear()
    if open, !exact { try FileIO.writeAll(1, "\n") }
  }

  private static func seconds(_ ms: Int) -> String {
    ms < 1000 ? "\(ms) ms" : "\(Double(ms / 100) / 10) s"
  }
}

import TGPTEvents

/// Where a command's events go: NDJSON on stdout, or with `--text` only the answer text.
///
/// A failure is both the `error` event on stdout (for programs) and one line on stderr (for
/// people: a reader such as `jq` may drop the event, and cron mails stderr).
public final class EventOutput: Sendable {
  private let textOnly: Bool
  private let writer = EventWriter(fd: 1)
  private let stderrIsTerminal = FileIO.isTerminal(2)
  private let stdoutIsTerminal = FileIO.isTerminal(1)
  private let endedWithNewline = AtomicFlag()

  public init(textOnly: Bool) {
    self.textOnly = textOnly
  }

  /// Writes one event (or its text); throws `ProtocolError` when stdout is closed.
  public func write(_ event: Event) throws(ProtocolError) {
    switch event.payload {
    case .error(let failure):
      Diagnostics.error(failure.message)
      if !textOnly { try writer.write(event) }
    case .retry(let retry):
      if stderrIsTerminal {
        Diagnostics.note("retrying in \(Self.seconds(retry.delayMs)): \(retry.reason)")
      }
      if !textOnly { try writer.write(event) }
    case .chunk(let chunk) where textOnly:
      try FileIO.writeAll(1, chunk.content)
      endedWithNewline.set(chunk.content.hasSuffix("\n"))
    default:
      if !textOnly { try writer.write(event) }
    }
  }

  /// A failure before the request was made (configuration, missing key, an early signal):
  /// reported as the one terminal event of the turn. Returns the exit code.
  @discardableResult
  public func reportFailure(message: String, kind: ErrorKind, id: String?, sessionID: String? = nil) -> Int32 {
    let failure = Event.Failure(message: message, code: kind)
    try? write(Event(.error(failure), id: id, sessionID: sessionID))
    return kind.exitCode
  }

  /// In text mode on a terminal, ends the output with a newline so the prompt starts cleanly.
  public func finish() {
    if textOnly, stdoutIsTerminal, endedWithNewline.isSet == false { try? FileIO.writeAll(1, "\n") }
  }

  private static func seconds(_ ms: Int) -> String {
    ms < 1000 ? "\(ms) ms" : "\(Double(ms / 100) / 10) s"
  }
}

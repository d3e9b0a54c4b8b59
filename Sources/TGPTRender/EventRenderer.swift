package import TGPTEvents

/// Shows an event stream: answer text as Markdown (or exactly, in plain mode), reasoning dim
/// or hidden, tool activity (as `options.tools` says) and retries as status lines on stderr,
/// errors on stderr, and the exit code of the error rendered (a failed tool is not an error of
/// the turn). No I/O and no clock of its own: the caller passes the time and writes `take()`'s
/// output in order.
package struct EventRenderer {
  /// Bytes for one stream, in the order they must be written.
  package enum Output: Equatable, Sendable {
    case stdout([UInt8])
    case stderr([UInt8])
  }

  package let options: RenderOptions
  private var answer: MarkdownRenderer?
  private var thinking: MarkdownRenderer?
  private var writer: TerminalWriter
  private var sanitizer = Sanitizer()
  private var reasoningSanitizer = Sanitizer()
  private var outputs: [Output] = []
  /// Answer bytes not yet moved into `outputs` (one buffer, so a burst becomes one write).
  private var stdoutBuffer: [UInt8] = []
  private var pendingRows: [Row] = []
  private var turn = TurnStats()
  /// The tool calls running, and their output lines not ended yet.
  var toolCalls = ToolActivity()
  /// The exit code of the last error event rendered (0 when none).
  package private(set) var exitCode: Int32 = 0
  /// Whether any answer or reasoning text has arrived (the spinner stops then).
  package private(set) var sawContent = false

  package init(options: RenderOptions) {
    self.options = options
    var live = false
    if case .styled(let isLive) = options.output { live = isLive }
    writer = TerminalWriter(mode: live ? .live : .appendOnly, hyperlinks: options.hyperlinks)
    width = options.width
  }

  private var styled: Bool {
    if case .styled = options.output { return true }
    return false
  }

  /// The width new lines are laid out to.
  private(set) var width: Int
  /// In plain mode: whether the answer written so far ends a line.
  private var plainAtLineStart = true
  /// Whether the input is text, not events (`--input text`): into a pipe it stays byte-exact.
  private var textInput = false

  /// Changes the layout width for the lines that follow (terminal resized).
  package mutating func resize(width: Int) {
    self.width = width
    answer?.width = width
    thinking?.width = width
  }

  // MARK: - Events

  /// Takes in one event received at `time` (on the monotonic clock).
  package mutating func handle(_ event: Event, at time: ContinuousClock.Instant) {
    switch event.payload {
    case .start(let start):
      turn = TurnStats(started: time, model: start.model)
    case .chunk(let chunk):
      if turn.firstContent == nil { turn.firstContent = time }
      if let model = chunk.model { turn.model = model }
      turn.chunks += 1
      text(chunk.content)
    case .reasoning(let reasoning):
      if turn.firstContent == nil { turn.firstContent = time }
      reason(reasoning.content)
    case .toolCall(let call):
      toolCall(call)
    case .toolOutput(let output):
      toolOutput(output)
    case .toolResult(let result):
      toolResult(result)
    case .retry(let retry):
      status("↻ retrying in \(Self.milliseconds(retry.delayMs)): \(retry.reason)")
    case .complete(let complete):
      endTurn()
      if options.stats { statsLine(complete, at: time) }
      turn = TurnStats()
    case .error(let failure):
      endTurn()
      exitCode = failure.code.exitCode
      message("error: \(failure.message)" + (failure.partial ? " (the answer above is incomplete)" : ""), error: true)
      turn = TurnStats()
    case .other:
      break
    }
  }

  /// Takes in one NDJSON line: a `chunk` in the usual layout goes straight to the output
  /// without building an event (the hot path of every stream); anything else is decoded.
  package mutating func handleLine(_ bytes: UnsafeRawBufferPointer, at time: ContinuousClock.Instant)
    throws(ProtocolError)
  {
    if case .plain(terminal: false) = options.output {
      if ChunkScanner.appendContent(bytes, to: &stdoutBuffer) || Event.appendChunkContent(bytes, to: &stdoutBuffer) {
        noteChunk(at: time)
        if let last = stdoutBuffer.last { plainAtLineStart = last == 0x0A }
        return
      }
    } else {
      var content: [UInt8] = []
      if ChunkScanner.appendContent(bytes, to: &content) || Event.appendChunkContent(bytes, to: &content) {
        noteChunk(at: time)
        text(String(decoding: content, as: UTF8.self))
        return
      }
    }
    handle(try Event.decode(bytes), at: time)
  }

  private mutating func noteChunk(at time: ContinuousClock.Instant) {
    sawContent = true
    if turn.firstContent == nil { turn.firstContent = time }
    turn.chunks += 1
  }

  /// Renders answer text that did not come as events (`--input text`).
  package mutating func text(_ content: String) {
    sawContent = true
    switch options.output {
    case .plain(let terminal):
      let clean = terminal ? sanitizer.clean(content) : content
      stdoutBuffer.append(contentsOf: clean.utf8)
      if let last = clean.utf8.last { plainAtLineStart = last == 0x0A }
    case .styled:
      if var thought = thinking {
        thinking = nil
        thought.finish()
        pendingRows.append(contentsOf: thought.takeCommitted())
        pendingRows.append([])
      }
      if answer == nil { answer = makeRenderer(base: .plain) }
      answer!.feed(sanitizer.clean(content))
      pendingRows.append(contentsOf: answer!.takeCommitted())
    }
  }

  private mutating func reason(_ content: String) {
    sawContent = true
    guard styled, options.reasoning != .hide, answer == nil else { return }
    if thinking == nil {
      thinking = makeRenderer(base: options.reasoning == .dim ? options.theme.reasoning : .plain)
    }
    thinking!.feed(reasoningSanitizer.clean(content))
    pendingRows.append(contentsOf: thinking!.takeCommitted())
  }

  private func makeRenderer(base: Style) -> MarkdownRenderer {
    MarkdownRenderer(width: width, theme: options.theme, hyperlinks: options.hyperlinks, base: base)
  }

  /// The end of a turn, or of the input: everything still open is committed.
  private mutating func endTurn() {
    closeTools()
    if var thought = thinking {
      thinking = nil
      thought.finish()
      pendingRows.append(contentsOf: thought.takeCommitted())
    }
    if var rendered = answer {
      answer = nil
      rendered.finish()
      pendingRows.append(contentsOf: rendered.takeCommitted())
    }
    flushDisplay()
    endPlainLine()
    sanitizer = Sanitizer()
    reasoningSanitizer = Sanitizer()
  }

  /// In plain mode, an answer that does not end its line gets a newline, so the next answer,
  /// the shell's prompt, or what `>>` appends next starts on a line of its own. Not with
  /// `exact`, nor for text input into a pipe (passed through as `cat` would).
  private mutating func endPlainLine() {
    guard case .plain(let terminal) = options.output, !plainAtLineStart, !options.exact else { return }
    if textInput && !terminal { return }
    stdoutBuffer.append(0x0A)
    plainAtLineStart = true
  }

  /// Ends the input: whatever is open is committed and the terminal left clean.
  package mutating func finish() {
    endTurn()
    writer.close(into: &stdoutBuffer)
  }

  /// Renders text given as bytes (`--input text`): exact bytes into a pipe or file, else
  /// decoded text.
  package mutating func text(bytes: [UInt8]) {
    textInput = true
    if case .plain(terminal: false) = options.output {
      sawContent = true
      stdoutBuffer.append(contentsOf: bytes)
      if let last = bytes.last { plainAtLineStart = last == 0x0A }
    } else {
      text(String(decoding: bytes, as: UTF8.self))
    }
  }

  /// Leaves the terminal clean after an interruption, without finishing the answer:
  /// attributes reset, hyperlink closed, cursor at the start of a line.
  package mutating func abandon() -> [UInt8] {
    var bytes: [UInt8] = []
    switch options.output {
    case .styled:
      writer.close(into: &bytes)
      bytes += TerminalWriter.reset + TerminalWriter.linkClose
    case .plain(terminal: true):
      if !plainAtLineStart { bytes.append(0x0A) }
      plainAtLineStart = true
    case .plain(terminal: false):
      if !plainAtLineStart, !options.exact, !textInput { bytes.append(0x0A) }
      plainAtLineStart = true
    }
    return bytes
  }

  /// A warning about the input, on stderr, without disturbing the answer on screen.
  package mutating func warning(_ text: String) {
    message("warning: \(text)", error: false)
  }

  // MARK: - Output

  /// The output produced since the last call, display brought up to date.
  package mutating func take() -> [Output] {
    flushDisplay()
    moveStdout()
    let result = outputs
    outputs = []
    return result
  }

  private mutating func moveStdout() {
    guard !stdoutBuffer.isEmpty else { return }
    outputs.append(.stdout(stdoutBuffer))
    // A fresh buffer: keeping the capacity would copy, as `outputs` shares the storage.
    stdoutBuffer = []
  }

  private mutating func flushDisplay() {
    guard styled else { return }
    // Only a live terminal shows the open row; computing it otherwise is wasted work.
    let open = writer.mode == .live ? answer?.openRow ?? thinking?.openRow : nil
    writer.write(committed: pendingRows, open: open, into: &stdoutBuffer)
    pendingRows.removeAll(keepingCapacity: true)
  }

  /// A line on stderr, `text` after the program's name; `text` is cleaned here.
  private mutating func message(_ text: String, error: Bool) {
    // Tool names, arguments and provider messages are untrusted text too.
    var clean = Sanitizer()
    emit("\(options.program): \(clean.clean(text))", style: error ? Self.errorStyle : Self.dimStyle)
  }

  static let dimStyle = "\u{1B}[2m"
  static let errorStyle = "\u{1B}[1;31m"
  static let failedToolStyle = "\u{1B}[31m"

  /// A line on stderr, already clean, in `style` (an SGR sequence) when stderr may have colour.
  /// A provisional row on the same terminal is cleared first and comes back at the next flush.
  mutating func emit(_ line: String, style: String) {
    // The message must not be glued to a half-written line of the answer.
    var freshLine = false
    if styled {
      writer.write(committed: pendingRows, open: nil, into: &stdoutBuffer)
      pendingRows.removeAll(keepingCapacity: true)
    } else if case .plain(let terminal) = options.output, !plainAtLineStart {
      if terminal {
        stdoutBuffer.append(0x0A)
        plainAtLineStart = true
      } else if options.messagesShareOutput {
        // Into a pipe or file the answer stays exact: the break goes on the message's side.
        freshLine = true
        plainAtLineStart = true
      }
    }
    moveStdout()
    var line = line
    if options.stderrStyled { line = style + line + "\u{1B}[0m" }
    outputs.append(.stderr(Array(((freshLine ? "\n" : "") + line + "\n").utf8)))
  }

  private mutating func status(_ text: String) { message(text, error: false) }

  private mutating func statsLine(_ complete: Event.Complete, at time: ContinuousClock.Instant) {
    var parts: [String] = []
    if let model = complete.model ?? turn.model { parts.append(model) }
    let tokens = complete.usage?.completionTokens
    if let tokens { parts.append("\(tokens) tokens") } else { parts.append("\(turn.chunks) chunks") }
    if let usage = complete.usage, let prompt = usage.promptTokens { parts.append("\(prompt) in") }
    if let started = turn.started, let first = turn.firstContent {
      parts.append("first token \(Self.milliseconds(Int((first - started) / .milliseconds(1))))")
    }
    let totalMs = turn.started.map { Int((time - $0) / .milliseconds(1)) } ?? complete.processingTimeMs
    parts.append("total \(Self.milliseconds(totalMs))")
    if let tokens, let first = turn.firstContent, time > first {
      parts.append("\(Int((Double(tokens) / (time - first).inSeconds).rounded())) tokens/s")
    }
    if let cost = complete.usage?.cost { parts.append("$\(cost.text)") }
    status(parts.joined(separator: " · "))
  }

  static func milliseconds(_ ms: Int) -> String {
    ms < 1000 ? "\(ms) ms" : "\(Double(ms / 10) / 100) s"
  }
}

/// What the stats footer needs about the current turn.
private struct TurnStats {
  var started: ContinuousClock.Instant?
  var model: String?
  var firstContent: ContinuousClock.Instant?
  var chunks = 0
}

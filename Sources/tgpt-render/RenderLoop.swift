import Dispatch
import Synchronization
import TGPTCommandSupport
import TGPTEvents
import TGPTRender

#if canImport(Glibc)
  import Glibc
#endif

/// Reads stdin, feeds the renderer, writes its output: one write per read, so bursts of small
/// events coalesce. Signals and resizes are handled here. Output is written while holding the
/// renderer's lock, so a signal's clean-up never lands in the middle of a write.
final class RenderLoop: @unchecked Sendable {
  private let displayFD: Int32
  private let passthrough: Bool
  private let strict: Bool
  /// Whether stdin is text (nil: not known yet, `--input auto` before its first line).
  private var textInput: Bool?
  private let widthIsFixed: Bool
  private let renderer: Guarded<EventRenderer>
  private let spinner: Spinner?
  private let resized = Atomic<Bool>(false)
  private var malformed = false
  /// Whether a line was read as an event (a bad line before any looks like plain text).
  private var sawEvent = false
  /// The answers' sentences, with `--sentences` or `--speak` (nil: neither).
  private var voice: SentenceFeed?
  /// `--sentences`: stdout gets the sentences, one a line, instead of the rendering.
  private let sentencesOnly: Bool
  private let speech: SpeechQueue?
  /// Sentences completed by the current read, not written or spoken yet.
  private var said: [String] = []

  init(
    options: RenderOptions, displayFD: Int32, passthrough: Bool, strict: Bool, input: InputKind, widthIsFixed: Bool,
    sentences: Bool = false, speech: SpeechQueue? = nil
  ) {
    sentencesOnly = sentences
    self.speech = speech
    voice = sentences || speech != nil ? SentenceFeed() : nil
    self.displayFD = displayFD
    self.passthrough = passthrough
    self.strict = strict
    textInput = input == .auto ? nil : input == .text
    self.widthIsFixed = widthIsFixed
    renderer = Guarded(EventRenderer(options: options))
    spinner = input != .text && FileIO.isTerminal(2) && FileIO.isTerminal(displayFD) ? Spinner() : nil
  }

  /// Runs to the end of input; returns the exit code.
  func run() -> Int32 {
    installSignals()
    spinner?.start()
    defer { spinner?.stop() }
    var events = NDJSONSplitter()
    var text = UTF8Assembler()
    do throws(ProtocolError) {
      var stopCode: Int32?
      try FileIO.forEachRead(0) { bytes throws(ProtocolError) in
        if textInput == nil {
          leading.append(contentsOf: bytes)
          stopCode = try decide(atEnd: false, events: &events, text: &text)
        } else {
          stopCode = try consume(bytes, events: &events, text: &text)
        }
        return stopCode == nil
      }
      if let stopCode { return stopCode }
      if textInput == nil, let code = try decide(atEnd: true, events: &events, text: &text) { return code }
      if textInput == true {
        let rest = text.finish()
        renderer.withLock { $0.text(bytes: rest) }
        voice?.text(rest, into: &said)
      } else {
        var stop = false
        let now = ContinuousClock.now
        renderer.withLock { renderer in
          events.finish { item in if !stop { stop = handle(item, renderer: &renderer, at: now) } }
        }
        if stop { return finish(code: ErrorKind.badInput.exitCode) }
      }
      if voice != nil { said += voice!.finish() }
      renderer.withLock { $0.finish() }
      try flush()
    } catch let error where error.isOutputClosed {
      return ExitStatus.ok
    } catch {
      Diagnostics.error(error.description)
      return error.kind.exitCode
    }
    let code = renderer.withLock { $0.exitCode }
    return code != 0 ? code : (malformed ? ErrorKind.badInput.exitCode : 0)
  }

  /// With `--input auto`, the bytes read before the kind of input is known: its first line.
  private var leading: [UInt8] = []

  /// With `--input auto`, decides what the input is once `leading` shows it, then renders what
  /// was held; an exit code to stop with, or nil to go on (also while still undecided).
  private func decide(
    atEnd: Bool, events: inout NDJSONSplitter, text: inout UTF8Assembler
  ) throws(ProtocolError) -> Int32? {
    let verdict = leading.withUnsafeBytes { InputSniffer.verdict($0, atEnd: atEnd) }
    guard let verdict else { return nil }
    textInput = verdict == .text
    if textInput == true { spinner?.stop() }
    let held = leading
    leading = []
    let result = held.withUnsafeBytes { bytes in
      Result { () throws(ProtocolError) in try consume(bytes, events: &events, text: &text) }
    }
    return try result.get()
  }

  /// Renders one read, as text or as events, and writes the output; an exit code to stop with
  /// (`--strict` and a malformed line), or nil to go on.
  private func consume(
    _ bytes: UnsafeRawBufferPointer, events: inout NDJSONSplitter, text: inout UTF8Assembler
  ) throws(ProtocolError) -> Int32? {
    if textInput == true {
      let complete = text.append(bytes)
      renderer.withLock { $0.text(bytes: complete) }
      voice?.text(complete, into: &said)
    } else {
      // --passthrough copies the input exactly as read, malformed lines and all.
      if passthrough { try FileIO.writeAll(1, bytes) }
      var stop = false
      let now = ContinuousClock.now
      // One lock for the whole read: a burst of events is handled, then written, at once.
      renderer.withLock { renderer in
        events.feed(bytes) { item in if !stop { stop = handle(item, renderer: &renderer, at: now) } }
      }
      if stop { return finish(code: ErrorKind.badInput.exitCode) }
    }
    try flush()
    return nil
  }

  /// Handles one input line; returns true to stop (`--strict` and a malformed line).
  private func handle(_ item: NDJSONSplitter.Item, renderer: inout EventRenderer, at now: ContinuousClock.Instant)
    -> Bool
  {
    switch item {
    case .overlong(let number, _):
      return malformedLine(number, "longer than \(NDJSONSplitter.defaultMaxLineBytes) bytes", &renderer)
    case .line(let bytes, let number):
      if voice != nil { said += voice!.line(bytes) }
      do throws(ProtocolError) {
        try renderer.handleLine(bytes, at: now)
        sawEvent = true
      } catch {
        // Text (or JSON that is not an event) piped in with --input events: say what would show it.
        let hint = !sawEvent && !InputSniffer.isEvent(bytes) ? "; this looks like plain text: use --input text" : ""
        return malformedLine(number, error.description + hint, &renderer)
      }
    }
    return false
  }

  private func malformedLine(_ number: Int, _ what: String, _ renderer: inout EventRenderer) -> Bool {
    malformed = true
    renderer.warning("line \(number): \(what)")
    return strict
  }

  /// Stops early (`--strict`): what was rendered so far is shown, the terminal left clean.
  private func finish(code: Int32) -> Int32 {
    try? flush()
    renderer.withLock { renderer in
      let bytes = renderer.abandon()
      if !sentencesOnly { try? FileIO.writeAll(displayFD, bytes) }
    }
    return code
  }

  /// Writes what the renderer produced, in order, and the sentences completed (to stdout with
  /// `--sentences`, to the speech queue with `--speak`); takes the new width first after a
  /// resize.
  private func flush() throws(ProtocolError) {
    defer { said = [] }
    try flushRendering()
    guard !said.isEmpty else { return }
    for sentence in said { speech?.say(sentence) }
    if sentencesOnly { try FileIO.writeAll(1, said.map { $0 + "\n" }.joined()) }
  }

  private func flushRendering() throws(ProtocolError) {
    let columns: Int? =
      resized.exchange(false, ordering: .acquiringAndReleasing) && !widthIsFixed
      ? TerminalSize.columns(fd: displayFD) : nil
    let failure: ProtocolError? = renderer.withLock { renderer in
      if let columns { renderer.resize(width: columns) }
      let sawContent = renderer.sawContent
      defer { if sawContent { spinner?.stop() } }
      for output in renderer.take() {
        switch output {
        case .stdout(let bytes):
          spinner?.stop()
          if sentencesOnly { continue }
          do throws(ProtocolError) {
            try FileIO.writeAll(displayFD, bytes)
          } catch {
            return error
          }
        case .stderr(let bytes):
          // Status lines come and go while waiting: the spinner steps aside for them.
          if let spinner { spinner.pause { try? FileIO.writeAll(2, bytes) } } else { try? FileIO.writeAll(2, bytes) }
        }
      }
      return nil
    }
    if let failure { throw failure }
  }

  private func installSignals() {
    let trap = SignalTrap()
    trap.install { [self] signal in
      speech?.stop()
      spinner?.stop()
      renderer.withLock { renderer in
        let bytes = renderer.abandon()
        if !sentencesOnly { try? FileIO.writeAll(displayFD, bytes) }
      }
      _exit(signal == SIGTERM ? ExitStatus.terminated : ErrorKind.interrupted.exitCode)
    }
    signal(SIGWINCH, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
    source.setEventHandler { [self] in resized.store(true, ordering: .releasing) }
    source.resume()
    resizeSource = source
  }

  private var resizeSource: (any DispatchSourceSignal)?
}

extension SentenceFeed {
  /// Takes in text bytes (whole UTF-8 characters), adding the sentences completed to `said`.
  mutating func text(_ bytes: [UInt8], into said: inout [String]) {
    said += text(String(decoding: bytes, as: UTF8.self))
  }
}

/// Hands on bytes from reads without splitting a UTF-8 character between two of them.
struct UTF8Assembler {
  private var pending: [UInt8] = []

  mutating func append(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    pending.append(contentsOf: bytes)
    var end = pending.count
    // Keep back an incomplete multi-byte sequence at the end.
    var back = 0
    while back < 3, end - back - 1 >= 0 {
      let byte = pending[end - back - 1]
      if byte & 0xC0 == 0x80 {
        back += 1
        continue
      }
      if byte >= 0xC0 {
        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
        if back + 1 < length { end -= back + 1 }
      }
      break
    }
    let complete = Array(pending[0..<end])
    pending.removeFirst(end)
    return complete
  }

  mutating func finish() -> [UInt8] {
    defer { pending.removeAll() }
    return pending
  }
}

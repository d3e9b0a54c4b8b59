import Synchronization
import TGPTCommandSupport
import TGPTEvents
import TGPTOrchestrator
import TGPTRender
import TGPTSession

extension ChatLoop {
  /// Runs one turn, rendering its events as they arrive; Ctrl-C stops it (the turn is stored
  /// as interrupted) and the prompt comes back.
  /// `retry`: the message is the last one again, and its answer replaces the last answer.
  func turn(_ text: String, retry: Bool = false) async {
    // A retry sends again what went with the message; a new message takes what /attach gathered.
    let attachments = retry ? lastAttachments : pending
    if !retry { pending = [] }
    lastMessage = text
    lastAttachments = attachments
    let display = ChatDisplay(options: Self.renderOptions(), spinner: FileIO.isTerminal(2))
    let request = TurnRequest(
      sessionID: session, requestID: RequestID.make(), message: text, settings: settings, includeFailed: includeFailed,
      retry: retry, attachments: attachments)
    await backend.turn(request, stopped: Self.nextInterrupt(), notice: display.notice, show: display.show)
    lastAnswer = display.finish()
  }

  /// A wait that returns at the next Ctrl-C from now (or when its task is cancelled).
  static func nextInterrupt() -> @Sendable () async -> Void {
    let pressesBefore = interruptPresses.load(ordering: .relaxed)
    return {
      while !Task.isCancelled, interruptPresses.load(ordering: .relaxed) == pressesBefore {
        try? await Task.sleep(for: .milliseconds(20))
      }
    }
  }

  /// Rendered Markdown, as `tgpt-render` shows it on a terminal; the exact text with
  /// `NO_COLOR` or `TERM=dumb`.
  static func renderOptions() -> RenderOptions {
    let term = ProcessEnvironment.value("TERM")
    let plain = ProcessEnvironment.value("NO_COLOR") != nil || term == "dumb"
    var options = RenderOptions(
      output: plain ? .plain(terminal: true) : .styled(live: true), width: TerminalSize.columns(fd: 1),
      hyperlinks: !plain && term != "linux", stderrStyled: !plain && FileIO.isTerminal(2))
    options.program = "tgpt-session"
    return options
  }
}

/// The renderer of one answer and what it wrote, shared with the turn's event callback; a
/// spinner on stderr until the answer starts. The width follows the terminal's as it is resized.
final class ChatDisplay: Sendable {
  private struct State {
    var renderer: EventRenderer
    var width: Int
    var answer = ""
    /// Whether the last byte written to stdout ended a line (the prompt must start on its own).
    var atLineStart = true
  }

  private let state: Guarded<State>
  private let spinner: Spinner?

  /// The display of the answer in progress, for a question asked during it.
  private static let current = Guarded<ChatDisplay?>(nil)

  init(options: RenderOptions, spinner: Bool) {
    state = Guarded(State(renderer: EventRenderer(options: options), width: options.width))
    self.spinner = spinner ? Spinner() : nil
    self.spinner?.start()
    Self.current.withLock { $0 = self }
  }

  /// Makes room for a question on the terminal (a tool call to approve): the spinner stops
  /// and a half-written line of the answer is ended, so the question starts a line of its own.
  static func pauseCurrent() {
    guard let display = current.withLock({ $0 }) else { return }
    display.state.withLock { state in
      display.spinner?.stop()
      if !state.atLineStart {
        try? FileIO.writeAll(1, "\n")
        state.atLineStart = true
      }
    }
  }

  func show(_ event: Event) {
    state.withLock { state in
      // One ioctl per event: cheaper than it sounds, and no signal handler to share with libedit.
      let columns = TerminalSize.columns(fd: 1)
      if columns != state.width {
        state.width = columns
        state.renderer.resize(width: columns)
      }
      if case .chunk(let chunk) = event.payload { state.answer += chunk.content }
      state.renderer.handle(event, at: .now)
      write(state.renderer.take(), &state)
    }
  }

  /// A line about the turn (not part of the answer) on stderr.
  func notice(_ text: String) {
    state.withLock { _ in
      let line = "tgpt-session: \(text)\n"
      if let spinner { spinner.pause { try? FileIO.writeAll(2, line) } } else { try? FileIO.writeAll(2, line) }
    }
  }

  /// Ends the answer (the renderer ends its last line); the answer's text.
  func finish() -> String {
    Self.current.withLock { if $0 === self { $0 = nil } }
    return state.withLock { state in
      spinner?.stop()
      state.renderer.finish()
      write(state.renderer.take(), &state)
      // The exact text of plain output may end mid-line.
      if !state.atLineStart { try? FileIO.writeAll(1, "\n") }
      return state.answer
    }
  }

  private func write(_ outputs: [EventRenderer.Output], _ state: inout State) {
    for output in outputs {
      switch output {
      case .stdout(let bytes):
        spinner?.stop()
        try? FileIO.writeAll(1, bytes)
        if let last = bytes.last { state.atLineStart = last == UInt8(ascii: "\n") }
      case .stderr(let bytes):
        if let spinner { spinner.pause { try? FileIO.writeAll(2, bytes) } } else { try? FileIO.writeAll(2, bytes) }
      }
    }
  }
}

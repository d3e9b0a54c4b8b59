import Dispatch
import Synchronization
import TGPTCommandSupport
import TGPTEvents
import TGPTOrchestrator
import TGPTRender
import TGPTSession

extension ChatLoop {
  /// Runs one turn, rendering its events as they arrive; Ctrl-C stops it (the turn is stored
  /// as interrupted) and the prompt comes back.
  func turn(_ text: String) async {
    lastMessage = text
    let options = RenderOptions(
      output: .styled(live: true), width: TerminalSize.columns(fd: 1), stderrStyled: FileIO.isTerminal(2))
    let display = ChatDisplay(options: options)
    let request = TurnRequest(
      sessionID: session, requestID: RequestID.make(), message: text, settings: settings, includeFailed: includeFailed)
    let runner = runner
    let pressesBefore = interruptPresses.load(ordering: .relaxed)
    let work = Task {
      await runner.run(request, interruption: { "interrupted by Ctrl-C" }) { event in display.show(event) }
    }
    let watcher = Task {
      while !Task.isCancelled {
        if interruptPresses.load(ordering: .relaxed) != pressesBefore {
          work.cancel()
          return
        }
        try? await Task.sleep(for: .milliseconds(20))
      }
    }
    _ = await work.value
    watcher.cancel()
    lastAnswer = display.finish()
  }
}

/// The renderer of one answer and what it wrote, shared with the turn's event callback.
final class ChatDisplay: Sendable {
  private struct State {
    var renderer: EventRenderer
    var answer = ""
  }

  private let state: Mutex<State>

  init(options: RenderOptions) { state = Mutex(State(renderer: EventRenderer(options: options))) }

  func show(_ event: Event) {
    state.withLock { state in
      if case .chunk(let chunk) = event.payload { state.answer += chunk.content }
      state.renderer.handle(event, at: DispatchTime.now().uptimeNanoseconds)
      Self.write(state.renderer.take())
    }
  }

  /// Ends the answer (the renderer ends its last line); the answer's text.
  func finish() -> String {
    state.withLock { state in
      state.renderer.finish()
      Self.write(state.renderer.take())
      return state.answer
    }
  }

  private static func write(_ outputs: [EventRenderer.Output]) {
    for output in outputs {
      switch output {
      case .stdout(let bytes): try? FileIO.writeAll(1, bytes)
      case .stderr(let bytes): try? FileIO.writeAll(2, bytes)
      }
    }
  }
}

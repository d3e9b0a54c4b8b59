import Dispatch
import TGPTEvents

/// A spinner with the elapsed time on stderr while nothing has arrived yet (stderr on a
/// terminal only). `stop()` erases it before anything else is written.
package final class Spinner: @unchecked Sendable {
  private struct State {
    var running = false
    var frame = 0
    var shown = false
  }

  private let state = Guarded(State())
  private let timer: any DispatchSourceTimer
  private let started = ContinuousClock.now
  private static let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

  package init() {
    timer = DispatchSource.makeTimerSource(queue: .global())
  }

  /// Starts ticking; the spinner shows after 150 ms without `stop()`.
  package func start() {
    state.withLock { $0.running = true }
    // Shown only after a moment, so fast answers never flash it.
    timer.schedule(deadline: .now() + .milliseconds(150), repeating: .milliseconds(80))
    timer.setEventHandler { [self] in tick() }
    timer.resume()
  }

  private func tick() {
    state.withLock { state in
      guard state.running else { return }
      let elapsed = ContinuousClock.now - started
      let tenths = Int(elapsed.inSeconds * 10)
      let text =
        "\r\u{1B}[K\u{1B}[2m\(Self.frames[state.frame % Self.frames.count]) \(tenths / 10).\(tenths % 10)s\u{1B}[0m"
      state.frame += 1
      state.shown = true
      try? FileIO.writeAll(2, text)
    }
  }

  /// Runs `body` (a status line on stderr) with the spinner erased; it comes back at the next tick.
  package func pause(_ body: () -> Void) {
    state.withLock { state in
      if state.running, state.shown {
        try? FileIO.writeAll(2, "\r\u{1B}[K")
        state.shown = false
      }
      body()
    }
  }

  /// Stops and erases the spinner (idempotent).
  package func stop() {
    state.withLock { state in
      guard state.running else { return }
      state.running = false
      timer.cancel()
      if state.shown { try? FileIO.writeAll(2, "\r\u{1B}[K") }
    }
  }
}

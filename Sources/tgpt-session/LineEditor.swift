import CEditLine
import Synchronization
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Ctrl-C presses, counted by the SIGINT handler (an atomic add is async-signal-safe).
let interruptPresses = Atomic<Int>(0)

/// The chat's prompt: libedit's line editor (arrows, Ctrl-R search, …) with input history kept
/// in a file.
enum LineEditor {
  enum Input {
    case line(String)
    /// Ctrl-C: the line being typed is dropped.
    case interrupted
    /// Ctrl-D on an empty line.
    case end
  }

  /// Counts Ctrl-C instead of dying. No SA_RESTART: the editor's blocking read then fails with
  /// EINTR, so Ctrl-C ends the prompt (libedit returns no line) instead of being ignored.
  static func installInterruptHandler() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in interruptPresses.add(1, ordering: .relaxed) }
    action.sa_flags = 0
    sigemptyset(&action.sa_mask)
    sigaction(SIGINT, &action, nil)
  }

  /// Loads the history file (missing is fine) and starts recording; creates its directory,
  /// which a remote chat may be the first to need.
  static func start(history path: String) {
    if let slash = path.lastIndex(of: "/") { _ = FileIO.makeDirectories(String(path[..<slash])) }
    // The user's locale, so the editor reads and edits UTF-8 text as characters.
    setlocale(LC_CTYPE, "")
    using_history()
    stifle_history(1000)
    _ = read_history(path)
  }

  static func read(prompt: String) -> Input {
    let before = interruptPresses.load(ordering: .relaxed)
    guard let raw = readline(prompt) else {
      return interruptPresses.load(ordering: .relaxed) != before ? .interrupted : .end
    }
    defer { free(raw) }
    return .line(String(cString: raw))
  }

  /// Adds an entered input to the history and saves the file (so a crash loses nothing).
  static func remember(_ input: String, history path: String) {
    guard !input.isEmpty else { return }
    add_history(input)
    _ = write_history(path)
  }
}

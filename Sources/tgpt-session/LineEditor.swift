import CEditLine
import Synchronization
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Ctrl-C presses, counted by the SIGINT handler (an atomic add is async-signal-safe).
let interruptPresses = Atomic<Int>(0)
/// The presses counted when the prompt being edited was shown.
private let pressesAtPrompt = Atomic<Int>(0)
/// A pipe the SIGINT handler writes a byte to, so a prompt waiting for a key wakes up: the
/// signal may be delivered to any thread, so the editor's read is not reliably interrupted.
private let wakeRead = Atomic<Int32>(-1)
private let wakeWrite = Atomic<Int32>(-1)

/// The chat's prompt: libedit's line editor (arrows, Ctrl-R search, …) with input history kept
/// in a file.
enum LineEditor {
  enum Input: Sendable {
    case line(String)
    /// Ctrl-C, and what had been typed on the line (which is dropped).
    case interrupted(typed: String)
    /// Ctrl-D on an empty line.
    case end
  }

  /// Counts Ctrl-C instead of dying, and has the editor read keys through `readKey`.
  static func installInterruptHandler() {
    if let ends = FileIO.makePipe() {
      for end in [ends.read, ends.write] { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
      wakeRead.store(ends.read, ordering: .relaxed)
      wakeWrite.store(ends.write, ordering: .relaxed)
    }
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in
      interruptPresses.add(1, ordering: .relaxed)
      var byte: UInt8 = 0
      _ = Glibc.write(wakeWrite.load(ordering: .relaxed), &byte, 1)
    }
    action.sa_flags = SA_RESTART
    sigemptyset(&action.sa_mask)
    sigaction(SIGINT, &action, nil)
    tgpt_set_getc_function(readKey)
  }

  /// The editor's reads: a key, or on Ctrl-C an Enter, so the editor hands back what was
  /// typed. (libedit's own handling returns no line at all, and an empty prompt, where Ctrl-C
  /// leaves, could not be told from a typed one, where it drops the line.)
  private static let readKey: @convention(c) (UnsafeMutablePointer<FILE>?) -> Int32 = { _ in
    var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0)]
    let wake = wakeRead.load(ordering: .relaxed)
    if wake >= 0 { fds.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
    while true {
      if interruptPresses.load(ordering: .relaxed) != pressesAtPrompt.load(ordering: .relaxed) { return 10 }
      fds[0].revents = 0
      if fds.count > 1 { fds[1].revents = 0 }
      guard poll(&fds, nfds_t(fds.count), -1) >= 0 || errno == EINTR else { return EOF }
      if fds.count > 1, fds[1].revents != 0 { drainWakeups() }
      guard fds[0].revents != 0 else { continue }
      var byte: UInt8 = 0
      let count = Glibc.read(0, &byte, 1)
      if count == 1 { return Int32(byte) }
      if count == 0 || errno != EINTR && errno != EAGAIN { return EOF }
    }
  }

  private static func drainWakeups() {
    var bytes = [UInt8](repeating: 0, count: 64)
    while Glibc.read(wakeRead.load(ordering: .relaxed), &bytes, bytes.count) > 0 {}
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
    drainWakeups()
    let before = interruptPresses.load(ordering: .relaxed)
    pressesAtPrompt.store(before, ordering: .relaxed)
    let raw = readline(prompt)
    defer { free(raw) }
    let text = raw.map { String(cString: $0) }
    if interruptPresses.load(ordering: .relaxed) != before { return .interrupted(typed: text ?? "") }
    return text.map(Input.line) ?? .end
  }

  /// Adds an entered input to the history and saves the file (so a crash loses nothing).
  static func remember(_ input: String, history path: String) {
    guard !input.isEmpty else { return }
    add_history(input)
    _ = write_history(path)
  }
}

import Synchronization
import TGPTCommandSupport
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Asks on the terminal before a tool call runs: `y` runs it, `n` (or just Enter) does not,
/// `a` runs it and every later call of that tool without asking. Ctrl-C while it asks stops
/// the turn; the question never waits on anything but a terminal.
final class TerminalApprover: Sendable {
  private let input: Int32
  private let output: Int32
  /// Called before the question is shown (the chat stops its spinner and ends its line).
  private let beforeAsking: @Sendable () -> Void
  private let always = Guarded<Set<String>>([])

  init(input: Int32, output: Int32, beforeAsking: @escaping @Sendable () -> Void = {}) {
    self.input = input
    self.output = output
    self.beforeAsking = beforeAsking
  }

  /// An approver on the controlling terminal (`/dev/tty`), when stdin or stderr is a terminal,
  /// the process has one, and it runs in the foreground (a background job reading the terminal
  /// would be stopped); nil from cron, a service, or a pipeline without a terminal.
  static func onControllingTerminal() -> TerminalApprover? {
    guard FileIO.isTerminal(2) || FileIO.isTerminal(0) else { return nil }
    let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    guard tcgetpgrp(fd) == getpgrp() else {
      close(fd)
      return nil
    }
    return TerminalApprover(input: fd, output: fd)
  }

  /// Whether the call may run.
  func ask(_ call: Event.ToolCall) async -> Bool {
    if always.withLock({ $0.contains(call.name) }) { return true }
    // All of what would run is shown: a question about arguments the user cannot see is no
    // question. Past a screenful, the rest is counted.
    let arguments = call.arguments.stringValue ?? call.arguments.compactText
    let limit = 4000
    let shown =
      arguments.count > limit
      ? String(arguments.prefix(limit)) + "… (\(arguments.count - limit) more characters)" : arguments
    let name = Readable.safe(call.name)
    let question = "tgpt-session: run \(name) \(Readable.safe(shown))? [y]es, [n]o, [a]lways for \(name): "
    let cancelled = AtomicFlag()
    let answer = await withTaskCancellationHandler {
      beforeAsking()
      return await Self.readAnswer(question: question, input: input, output: output, cancelled: cancelled)
    } onCancel: {
      cancelled.set(true)
    }
    switch answer?.lowercased() {
    case "y", "yes": return true
    case "a", "always":
      always.withLock { _ = $0.insert(call.name) }
      return true
    default:
      if answer == nil { try? FileIO.writeAll(output, "\n") }
      return false
    }
  }

  /// Writes the question and reads one line on a thread of its own, checking for
  /// cancellation every tenth of a second; nil when cancelled or at end of input.
  private static func readAnswer(question: String, input: Int32, output: Int32, cancelled: AtomicFlag) async
    -> String?
  {
    try? FileIO.writeAll(output, question)
    return await DedicatedThread.run { () -> String? in
      var line: [UInt8] = []
      var byte: UInt8 = 0
      while cancelled.isSet != true {
        var fds = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
        let ready = poll(&fds, 1, 100)
        if ready < 0, errno != EINTR { return nil }
        guard ready > 0 else { continue }
        let count = read(input, &byte, 1)
        if count == 0 { return nil }
        if count < 0 { if errno == EINTR || errno == EAGAIN { continue } else { return nil } }
        if byte == UInt8(ascii: "\n") {
          return String(decoding: line.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        }
        line.append(byte)
      }
      return nil
    }
  }
}

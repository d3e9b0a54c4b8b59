package import TGPTEvents

extension ExecutableTool {
  /// How long a tool asked to stop (SIGTERM) has before it is killed (SIGKILL).
  static let killGrace = Duration.seconds(1)

  /// Runs the tool once with the model's `arguments`.
  ///
  /// The command gets one line on its stdin: `arguments` as compact JSON text and a newline.
  /// It runs in a process group of its own, in `workingDirectory` (nil: ours). Its stdout is
  /// handed to `onOutput` piece by piece as it arrives (never splitting a UTF-8 character) and
  /// is the outcome's content. The outcome is an error, still meant for the model, when:
  /// - `arguments` is a JSON string: the model's arguments were not valid JSON (the call
  ///   carries their raw text), and the tool is not run;
  /// - the command cannot be started;
  /// - it exits with a non-zero status (the content then has stdout, the start of stderr and
  ///   the status);
  /// - it prints more than `maxOutputBytes`: the content keeps the first that many bytes, and
  ///   the tool is stopped;
  /// - it runs longer than `timeout`: its group gets SIGTERM, and SIGKILL a second later.
  ///
  /// Cancelling the calling task stops the tool's group the same way; the call returns once
  /// the tool has exited. The reading and waiting happen on a thread of their own.
  package func run(
    arguments: JSON, workingDirectory: String? = nil, onOutput: @escaping @Sendable (String) -> Void
  ) async -> ToolOutcome {
    if case .string(let raw) = arguments {
      return ToolOutcome(
        content: "tool \(name) was not run: its arguments were not valid JSON: \(raw.shortened(to: 200))",
        isError: true)
    }
    if let workingDirectory, !FileIO.isDirectory(workingDirectory) {
      return ToolOutcome(
        content: "cannot start tool \(name): the working directory \(workingDirectory) does not exist", isError: true)
    }
    guard !Task.isCancelled else { return ToolOutcome(content: "tool \(name) was cancelled", isError: true) }
    guard let wake = WakePipe() else {
      return ToolOutcome(content: "cannot start tool \(name): out of file descriptors", isError: true)
    }
    let input = Array((arguments.compactText + "\n").utf8)
    let run = ToolRun(
      tool: self, input: input, workingDirectory: workingDirectory, onOutput: onOutput, cancel: wake.readEnd)
    let outcome = await withTaskCancellationHandler {
      await DedicatedThread.run { withSIGPIPEBlocked { run.run() } }
    } onCancel: {
      wake.ring()
    }
    wake.close()
    return outcome
  }
}

extension String {
  /// The string, or its first `limit` characters and "…".
  func shortened(to limit: Int) -> String {
    count <= limit ? self : String(prefix(limit)) + "…"
  }
}

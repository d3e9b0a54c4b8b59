import TGPTEvents

/// Messages for people, on stderr, in the one format all programs use:
/// `tgpt-<name>: error: …`.
package enum Diagnostics {
  /// The program name used as the prefix (set once at start-up).
  nonisolated(unsafe) package static var program = "tgpt"

  /// Writes `program: error: message` to stderr.
  package static func error(_ message: String) {
    write("\(program): error: \(message)\n")
  }

  /// Writes `program: warning: message` to stderr.
  package static func warning(_ message: String) {
    write("\(program): warning: \(message)\n")
  }

  /// Writes `program: message` to stderr.
  package static func note(_ message: String) {
    write("\(program): \(message)\n")
  }

  /// Writes text to stderr as it is; a closed stderr is ignored.
  package static func write(_ text: String) {
    try? FileIO.writeAll(2, text)
  }
}

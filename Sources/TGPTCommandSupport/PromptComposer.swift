import ArgumentParser
package import TGPTEvents

/// Where piped stdin goes relative to the words on the command line (SPEC §4).
package enum StdinMode: String, CaseIterable, ExpressibleByArgument, Sendable {
  /// stdin, a blank line, then the words (the default).
  case prepend
  /// The words, a blank line, then stdin.
  case append
  /// Do not read stdin.
  case ignore
}

/// Builds the prompt from piped stdin and argument words.
///
/// stdin is read only when it is a pipe or a regular file, never from a terminal or an
/// inherited socket, so a program started from cron or an editor never hangs waiting for input.
/// Bytes are kept exactly; the only thing added is the separator, chosen so that exactly one
/// blank line separates the parts (`\n` after text that ends in a newline, else `\n\n`).
package enum PromptComposer {
  /// Reads stdin if the mode and the descriptor allow it (on a thread of its own); nil when
  /// it was not read.
  package static func readStdinIfPiped(mode: StdinMode, fd: Int32 = 0) async throws(ProtocolError) -> String? {
    guard mode != .ignore, FileIO.isPipeOrFile(fd) else { return nil }
    let bytes = try await FileIO.readAllWaiting(fd)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Joins stdin and the words; nil when both are empty.
  package static func compose(stdin: String?, words: [String], mode: StdinMode) -> String? {
    let text = words.joined(separator: " ")
    let piped = stdin ?? ""
    switch (piped.isEmpty, text.isEmpty) {
    case (true, true): return nil
    case (true, false): return text
    case (false, true): return piped
    case (false, false):
      return mode == .append ? text + separator(after: text) + piped : piped + separator(after: piped) + text
    }
  }

  private static func separator(after text: String) -> String {
    text.hasSuffix("\n") ? "\n" : "\n\n"
  }
}

import Foundation
import TGPTEvents

/// Where the examples come from: the shell blocks of Markdown documents, and the "Examples:"
/// of every command's help (the man pages are made from the same text).
enum DocSources {
  struct Failure: Error, CustomStringConvertible { let description: String }

  /// Fences whose lines are shell commands.
  static let shellLanguages: Set<String> = ["sh", "bash", "shell", "console"]

  /// The repository's root directory.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The shell blocks of the document at `path` (relative to the repository).
  static func markdown(_ path: String) throws -> [DocBlock] {
    try markdownBlocks(String(contentsOf: root.appendingPathComponent(path), encoding: .utf8), document: path)
  }

  /// The shell blocks of Markdown `text`. A block is not run, wholly or in part, only when
  /// comments right before its opening fence say so, with a reason:
  ///
  ///     <!-- not run: needs a terminal -->                    the whole block
  ///     <!-- not run `tgpt-stream --base-url`: needs Ollama -->  the examples starting so
  ///
  /// A marker anywhere else, without a reason, or naming no example of its block fails.
  static func markdownBlocks(_ text: String, document: String) throws(Failure) -> [DocBlock] {
    var blocks: [DocBlock] = []
    var markers: [(line: Int, marker: Marker)] = []
    var open: (line: Int, shell: Bool, lines: [(number: Int, text: String)])?
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let number = index + 1
      if var block = open {
        if line.hasPrefix("```") {
          if block.shell {
            blocks.append(try shellBlock(document, block.line, block.lines, markers))
          }
          markers = []
          open = nil
        } else {
          block.lines.append((number, String(line)))
          open = block
        }
        continue
      }
      if line.hasPrefix("```") {
        let language = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
        let shell = shellLanguages.contains(language)
        if !shell, let first = markers.first {
          throw Failure(description: "\(document):\(first.line): a not-run marker before a \(language) block")
        }
        open = (number, shell, [])
      } else if line.contains("<!-- not run") {
        markers.append((number, try Marker(String(line), at: "\(document):\(number)")))
      } else if let first = markers.first {
        throw Failure(description: "\(document):\(first.line): a not-run marker not right before a ``` fence")
      }
    }
    return blocks
  }

  private static func shellBlock(
    _ document: String, _ line: Int, _ lines: [(number: Int, text: String)], _ markers: [(line: Int, marker: Marker)]
  ) throws(Failure) -> DocBlock {
    let examples = ShellText.examples(lines) { command in
      markers.first { $0.marker.applies(to: command) }?.marker.reason
    }
    for (markerLine, marker) in markers where !examples.contains(where: { marker.applies(to: $0.command) }) {
      throw Failure(description: "\(document):\(markerLine): the marker names no example of the block below it")
    }
    return DocBlock(document: document, line: line, examples: examples)
  }

  /// `<!-- not run: REASON -->` or `<!-- not run `PREFIX`: REASON -->`.
  struct Marker {
    var prefix: String?
    var reason: String

    init(_ line: String, at place: String) throws(Failure) {
      let text = line.trimmingCharacters(in: .whitespaces)
      guard text.hasPrefix("<!-- not run"), text.hasSuffix("-->") else {
        throw Failure(description: "\(place): a marker is a line of its own: <!-- not run: why -->")
      }
      var body = Substring(text.dropFirst("<!-- not run".count).dropLast(3))
      if body.hasPrefix(" `") {
        let afterTick = body.dropFirst(2)
        guard let close = afterTick.firstIndex(of: "`") else {
          throw Failure(description: "\(place): the command prefix of a marker needs a closing `")
        }
        prefix = String(afterTick[..<close])
        body = afterTick[afterTick.index(after: close)...]
      }
      guard body.hasPrefix(":") else {
        throw Failure(description: "\(place): a marker says why: <!-- not run: why -->")
      }
      reason = body.dropFirst().trimmingCharacters(in: .whitespaces)
      guard !reason.isEmpty else { throw Failure(description: "\(place): a marker without a reason") }
    }

    func applies(to command: String) -> Bool { prefix.map { command.hasPrefix($0) } ?? true }
  }

  /// The examples in the help of `program` and each of its subcommands, read from the
  /// argument parser's description of the command (the text of `--help` and of the man page):
  /// the indented lines after a line "Examples:" (or "Example:"). `directives` says which are not run (by
  /// document and command), and which are servers to run in the background.
  static func help(_ program: String, dump: JSON, directives: [HelpDirective]) -> [DocBlock] {
    var blocks: [DocBlock] = []
    func visit(_ command: JSON, path: [String]) {
      let document = (path + ["--help"]).joined(separator: " ")
      var lines: [(number: Int, text: String)] = []
      var inExamples = false
      for line in (command["discussion"]?.stringValue ?? "").split(separator: "\n", omittingEmptySubsequences: false) {
        if ["Examples:", "Example:"].contains(line.trimmingCharacters(in: .whitespaces)) {
          inExamples = true
        } else if inExamples, line.hasPrefix("  ") {
          lines.append((lines.count + 1, String(line.dropFirst(2))))
        } else {
          inExamples = false
        }
      }
      var examples = ShellText.examples(lines) { command in
        directives.first { $0.document == document && $0.command == command }?.notRun
      }
      for index in examples.indices {
        examples[index].line = index + 1
        let command = examples[index].command
        examples[index].server = directives.contains { $0.document == document && $0.command == command && $0.server }
      }
      if !examples.isEmpty { blocks.append(DocBlock(document: document, line: 0, examples: examples)) }
      for sub in command["subcommands"]?.arrayValue ?? [] {
        visit(sub, path: path + [sub["commandName"]?.stringValue ?? "?"])
      }
    }
    if let command = dump["command"] { visit(command, path: [program]) }
    return blocks
  }
}

/// What to do with one example of a help text, which has no room for markers: not run (and
/// why), or run as a server, in the background until its block ends.
struct HelpDirective: Sendable {
  var document: String
  var command: String
  var notRun: String?
  var server = false
}

import TGPTEvents
package import TGPTProviders

/// A tool that is a program: described by a JSON file, given the model's arguments as JSON on
/// its stdin, its stdout the result.
///
/// The file:
/// ```json
/// {"name": "grep_repo", "description": "Search the repository", "parameters": {"type": "object"},
///  "command": ["rg", "--json"], "timeout_s": 30, "max_output_bytes": 65536}
/// ```
/// `name` and `command` are required; `description` defaults to empty, `parameters` to an
/// object schema without properties, `timeout_s` to 30 and `max_output_bytes` to 65536.
package struct ExecutableTool: Sendable, Hashable {
  /// What the model sees: name, description and the arguments' JSON Schema.
  package var spec: ToolSpec
  /// The program and its arguments (never a shell line); the first word is looked up on PATH.
  package var command: [String]
  /// How long a run may take before the tool is stopped.
  package var timeout: Duration
  /// How much stdout a run may produce; past it the tool is stopped and its output cut.
  package var maxOutputBytes: Int
  /// Where the definition came from (a file path), for messages.
  package var origin: String

  /// The run limits when the file does not set them.
  package static let defaultTimeout = Duration.seconds(30)
  package static let defaultMaxOutputBytes = 65536

  package init(
    spec: ToolSpec, command: [String], timeout: Duration = defaultTimeout,
    maxOutputBytes: Int = defaultMaxOutputBytes, origin: String = "the command line"
  ) {
    self.spec = spec
    self.command = command
    self.timeout = timeout
    self.maxOutputBytes = maxOutputBytes
    self.origin = origin
  }

  /// The tool's name, as the model calls it.
  package var name: String { spec.name }

  /// Whether `name` is one that every provider accepts: 1–64 of `A-Z a-z 0-9 _ -`.
  package static func isValidName(_ name: String) -> Bool {
    let bytes = name.utf8
    return (1...64).contains(bytes.count)
      && bytes.allSatisfy { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
          || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
      }
  }
}

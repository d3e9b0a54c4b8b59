import TGPTEvents
import TGPTProviders

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

extension ExecutableTool {
  /// The fields a tool file may have.
  static let fields = ["name", "description", "parameters", "command", "timeout_s", "max_output_bytes"]

  /// Reads a tool definition from a JSON file.
  ///
  /// Throws a `ToolError` that names the file and what is wrong in it: a missing or invalid
  /// field, an unknown field (a misspelt `timeout_s` must not silently mean 30 s), or JSON that
  /// does not parse (with the byte where it stops).
  package static func load(path: String) throws(ToolError) -> ExecutableTool {
    let bytes = try readFile(path)
    let json: JSON
    do throws(ProtocolError) { json = try JSON.parse(bytes) } catch { throw .badFile(path, error.description) }
    return try parse(json, path: path)
  }

  /// A tool definition from its parsed JSON; `path` is named in errors.
  static func parse(_ json: JSON, path: String) throws(ToolError) -> ExecutableTool {
    guard let object = json.objectValue else { throw .badFile(path, "expected a JSON object") }
    for key in object.keys where !fields.contains(key) {
      throw .badFile(path, "unknown field \"\(key)\" (the fields are: \(fields.joined(separator: ", ")))")
    }
    guard let nameValue = object["name"] else { throw .badFile(path, "\"name\" is missing") }
    guard let name = nameValue.stringValue else { throw .badFile(path, "\"name\" must be a string") }
    guard isValidName(name) else {
      throw .badFile(
        path, "\"name\" must be 1 to 64 letters, digits, _ or - (providers accept no other), not \"\(name)\"")
    }
    var description = ""
    if let value = object["description"] {
      guard let text = value.stringValue else { throw .badFile(path, "\"description\" must be a string") }
      description = text
    }
    var parameters: JSON = ["type": "object", "properties": [:]]
    if let value = object["parameters"] {
      guard value.objectValue != nil else { throw .badFile(path, "\"parameters\" must be a JSON Schema object") }
      parameters = value
    }
    let command = try parseCommand(object["command"], path: path)
    var timeout = defaultTimeout
    if let value = object["timeout_s"] {
      guard let seconds = value.doubleValue, seconds > 0, seconds <= 86_400 else {
        throw .badFile(path, "\"timeout_s\" must be a number of seconds above 0 (at most a day)")
      }
      timeout = .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }
    var maxOutputBytes = defaultMaxOutputBytes
    if let value = object["max_output_bytes"] {
      guard let count = value.intValue, count > 0 else {
        throw .badFile(path, "\"max_output_bytes\" must be a whole number above 0")
      }
      maxOutputBytes = count
    }
    return ExecutableTool(
      spec: ToolSpec(name: name, description: description, parameters: parameters), command: command,
      timeout: timeout, maxOutputBytes: maxOutputBytes, origin: path)
  }

  private static func parseCommand(_ value: JSON?, path: String) throws(ToolError) -> [String] {
    guard let value else { throw .badFile(path, "\"command\" is missing") }
    guard let elements = value.arrayValue, !elements.isEmpty else {
      throw .badFile(path, "\"command\" must be a non-empty array of strings (the program and its arguments)")
    }
    var command: [String] = []
    for (index, element) in elements.enumerated() {
      guard let word = element.stringValue else {
        throw .badFile(path, "\"command\" must be a non-empty array of strings; element \(index + 1) is not a string")
      }
      command.append(word)
    }
    guard !command[0].isEmpty else { throw .badFile(path, "\"command\" starts with an empty program name") }
    return command
  }

  private static func readFile(_ path: String) throws(ToolError) -> [UInt8] {
    if FileIO.isDirectory(path) { throw .unreadableFile(path, "it is a directory") }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .unreadableFile(path, String(cString: strerror(errno))) }
    defer { close(fd) }
    do throws(ProtocolError) { return try FileIO.readAll(fd) } catch { throw .unreadableFile(path, error.description) }
  }
}

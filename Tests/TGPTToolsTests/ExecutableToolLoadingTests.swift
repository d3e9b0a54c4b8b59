import Foundation
import TGPTEvents
import TGPTProviders
import TGPTTools
import Testing

@Suite struct ExecutableToolLoadingTests {
  /// The error loading `text` as a tool file gives, with the file's path replaced by "FILE".
  func loadError(_ text: String) throws -> String? {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let path = try scratch.write("tool.json", text)
    do throws(ToolError) {
      _ = try ExecutableTool.load(path: path)
      return nil
    } catch {
      #expect(error.kind == .config)
      return error.description.replacingOccurrences(of: path, with: "FILE")
    }
  }

  @Test func aFullDefinitionLoads() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let path = try scratch.write(
      "grep.json",
      #"""
      {"name": "grep_repo", "description": "Search", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
       "command": ["rg", "--json"], "timeout_s": 2.5, "max_output_bytes": 1000}
      """#)
    let tool = try ExecutableTool.load(path: path)
    #expect(tool.spec.name == "grep_repo" && tool.spec.description == "Search")
    #expect(tool.spec.parameters["properties"]?["q"]?["type"] == "string")
    #expect(tool.command == ["rg", "--json"])
    #expect(tool.timeout == .milliseconds(2500) && tool.maxOutputBytes == 1000 && tool.origin == path)
  }

  @Test func theLimitsAndTheSchemaHaveDefaults() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let tool = try ExecutableTool.load(path: scratch.write("t.json", #"{"name": "t", "command": ["date"]}"#))
    #expect(tool.timeout == .seconds(30) && tool.maxOutputBytes == 65536)
    #expect(tool.spec.parameters == ["type": "object", "properties": [:]] && tool.spec.description == "")
  }

  @Test func eachMistakeIsNamedWithTheFile() throws {
    #expect(try loadError(#"{"command": ["date"]}"#) == #"tool file FILE: "name" is missing"#)
    #expect(try loadError(#"{"name": 3, "command": ["date"]}"#) == #"tool file FILE: "name" must be a string"#)
    #expect(
      try loadError(#"{"name": "two words", "command": ["date"]}"#)
        == #"tool file FILE: "name" must be 1 to 64 letters, digits, _ or - (providers accept no other), not "two words""#
    )
    #expect(try loadError(#"{"name": "\#(String(repeating: "a", count: 65))", "command": ["date"]}"#) != nil)
    #expect(try loadError(#"{"name": "t"}"#) == #"tool file FILE: "command" is missing"#)
    let notArray = #"tool file FILE: "command" must be a non-empty array of strings (the program and its arguments)"#
    #expect(try loadError(#"{"name": "t", "command": []}"#) == notArray)
    #expect(try loadError(#"{"name": "t", "command": "date -u"}"#) == notArray)
    #expect(
      try loadError(#"{"name": "t", "command": ["date", 1]}"#)
        == #"tool file FILE: "command" must be a non-empty array of strings; element 2 is not a string"#)
    #expect(
      try loadError(#"{"name": "t", "command": ["date"], "timeout_s": "30"}"#)
        == #"tool file FILE: "timeout_s" must be a number of seconds above 0 (at most a day)"#)
    #expect(
      try loadError(#"{"name": "t", "command": ["date"], "max_output_bytes": 0}"#)
        == #"tool file FILE: "max_output_bytes" must be a whole number above 0"#)
    #expect(
      try loadError(#"{"name": "t", "command": ["date"], "timeout": 5}"#)
        == #"tool file FILE: unknown field "timeout" (the fields are: name, description, parameters, command, timeout_s, max_output_bytes)"#
    )
    #expect(try loadError(#"["name"]"#) == "tool file FILE: expected a JSON object")
  }

  @Test func badJSONSaysWhere() throws {
    let message = try loadError("{\"name\": \"t\",\n \"command\": [\"date\"],}")
    #expect(
      message?.hasPrefix("tool file FILE: invalid JSON at byte 36: expected a member name") == true, "\(message ?? "")")
  }

  @Test func anUnreadableFileIsNamed() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let path = scratch.file("absent.json")
    #expect(throws: ToolError.self) { try ExecutableTool.load(path: path) }
    do throws(ToolError) {
      _ = try ExecutableTool.load(path: path)
    } catch {
      #expect(error.description == "cannot read tool file \(path): No such file or directory")
    }
  }
}

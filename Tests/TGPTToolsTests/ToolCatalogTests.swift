import TGPTTools
import Testing

@Suite struct ToolCatalogTests {
  func catalog(_ scratch: Scratch) throws -> ToolCatalog {
    try scratch.write("weather.json", #"{"name": "weather", "command": ["curl"]}"#)
    try scratch.write("calc.json", #"{"name": "calc", "command": ["bc"]}"#)
    try scratch.write("renamed.json", #"{"name": "other", "command": ["true"]}"#)
    try scratch.write("notes.txt", "not a tool")
    return ToolCatalog(directory: scratch.path)
  }

  @Test func toolsAreEnabledByNameInTheOrderGiven() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let catalog = try catalog(scratch)
    #expect(catalog.names == ["calc", "renamed", "weather"])
    #expect(try catalog.load(["weather", "calc", "weather"]).map(\.name) == ["weather", "calc"])
  }

  @Test func anUnknownNameListsTheToolsThere() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let catalog = try catalog(scratch)
    for name in ["wether", "../calc", ""] {
      #expect(throws: ToolError.self) { try catalog.load([name]) }
      do throws(ToolError) {
        _ = try catalog.load([name])
      } catch {
        #expect(
          error.description == "no tool named \(name) in \(scratch.path); the tools there are: calc, renamed, weather")
      }
    }
  }

  @Test func aFileMustNameItsToolAsItIsNamed() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let catalog = try catalog(scratch)
    do throws(ToolError) {
      _ = try catalog.load(["renamed"])
      Issue.record("renamed.json loaded")
    } catch {
      #expect(error.description.contains(#"its "name" is "other"; it must be "renamed""#))
    }
  }

  @Test func aMissingDirectoryHasNoTools() throws {
    let catalog = ToolCatalog(directory: "/nonexistent/tgpt/tools")
    #expect(catalog.names.isEmpty)
    do throws(ToolError) {
      _ = try catalog.load(["x"])
      Issue.record("x loaded")
    } catch {
      #expect(error.description == "no tool named x: /nonexistent/tgpt/tools has no tool files")
    }
  }
}

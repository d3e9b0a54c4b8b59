import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A directory of tool files (`$XDG_CONFIG_HOME/tgpt/tools`), one `NAME.json` per tool, from
/// which `--tools a,b` enables tools by name.
package struct ToolCatalog: Sendable {
  /// The directory; the caller decides which (the library reads no environment).
  package let directory: String

  package init(directory: String) { self.directory = directory }

  /// The names of the tools in the directory (its `*.json` files), sorted; empty when the
  /// directory does not exist.
  package var names: [String] {
    guard let stream = opendir(directory) else { return [] }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
      let file = withUnsafePointer(to: entry.pointee.d_name) { pointer in
        pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
          String(cString: $0)
        }
      }
      guard file.hasSuffix(".json"), !file.hasPrefix(".") else { continue }
      names.append(String(file.dropLast(5)))
    }
    return names.sorted()
  }

  /// The path of the file that defines tool `name`.
  package func path(of name: String) -> String {
    directory.hasSuffix("/") ? directory + name + ".json" : directory + "/" + name + ".json"
  }

  /// Loads the tools named `names`, in that order (a name given twice is loaded once).
  ///
  /// An unknown name is an error that lists the names the directory has; a file whose `name`
  /// field differs from its file name is an error too, so that `--tools x` always means the
  /// tool the model knows as `x`.
  package func load(_ names: [String]) throws(ToolError) -> [ExecutableTool] {
    var tools: [ExecutableTool] = []
    for name in names where !tools.contains(where: { $0.name == name }) {
      tools.append(try load(name))
    }
    return tools
  }

  /// Loads the tool named `name`.
  package func load(_ name: String) throws(ToolError) -> ExecutableTool {
    // A valid name has no "/" or "..", so it cannot lead out of the directory.
    guard ExecutableTool.isValidName(name), FileIO.exists(path(of: name)) else {
      throw .unknownTool(name, directory: directory, known: names)
    }
    let tool = try ExecutableTool.load(path: path(of: name))
    guard tool.name == name else {
      throw .badFile(path(of: name), "its \"name\" is \"\(tool.name)\"; it must be \"\(name)\", as its file is named")
    }
    return tool
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The environment tools and MCP servers run with: ours, less the secrets that are ours and
/// not theirs — provider keys (`*_API_KEY`) and tgpt's own settings and tokens (`TGPT_*`). A
/// tool is code the model steers, and an MCP server is often someone else's code: neither
/// needs the key that pays for the model.
enum ToolEnvironment {
  static func filtered() -> [String] {
    var entries: [String] = []
    var cursor = environ
    while let entry = cursor.pointee {
      let text = String(cString: entry)
      let name = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
      if !name.hasSuffix("_API_KEY"), !name.hasPrefix("TGPT_") { entries.append(text) }
      cursor += 1
    }
    return entries
  }
}

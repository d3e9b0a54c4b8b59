import Foundation
import TGPTEvents
import TGPTProviders
import Testing

@testable import TGPTProviderOptions

/// `ConfigFile.update` on real files in a scratch directory.
@Suite struct ConfigUpdateTests {
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  func file(_ name: String, _ text: String? = nil) throws -> String {
    let path = directory.appendingPathComponent(name).path
    if let text { try text.write(toFile: path, atomically: false, encoding: .utf8) }
    return path
  }

  func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

  // Not /dev/null: were the check broken, a test run as root would replace it.
  @Test func onlyARegularFileIsReplaced() throws {
    let folder = try file("folder")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    let dangling = try file("dangling")
    try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "missing.toml")
    for (path, what) in [(folder, "not a regular file"), (dangling, "a symbolic link to nothing")] {
      do {
        _ = try ConfigFile.update([("model", "m")], path: path)
        Issue.record("\(path) was written")
      } catch {
        #expect(error.kind == .config)
        #expect(error.description == "cannot write \(path): it is \(what); point TGPT_CONFIG at a file")
      }
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["dangling", "folder"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
  }

  @Test func aLinkToAFileIsFollowed() throws {
    let real = try file("real.toml", "retries = 2\n")
    let link = try file("link.toml")
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
    let written = try ConfigFile.update([("model", "m")], path: link)
    #expect(written.path.hasSuffix("/real.toml"))
    #expect(try read(real) == "retries = 2\nmodel = \"m\"\n")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == real)
  }

  @Test func missingDirectoriesAreMadeForTheUserOnly() throws {
    let path = try file("a/b/config.toml")
    let written = try ConfigFile.update([("model", "m")], path: path)
    #expect(written.changes == ["model = \"m\""])
    #expect(try read(path) == "model = \"m\"\n")
    for folder in ["a", "a/b"] {
      let attributes = try FileManager.default.attributesOfItem(atPath: try file(folder))
      #expect((attributes[.posixPermissions] as? Int) == 0o700, "\(folder)")
    }
  }

  @Test func theModelGoesWhereTheDefaultProviderReadsIt() throws {
    let text = "provider = \"Anthropic\"\nmodel = \"top\"\n\n[providers.anthropic]\nmodel = \"old\"\n"
    let path = try file("config.toml", text)
    let written = try ConfigFile.update([("model", "claude-new")], path: path)
    #expect(written.changes == ["[providers.anthropic] model = \"claude-new\""])
    #expect(try read(path) == text.replacingOccurrences(of: "\"old\"", with: "\"claude-new\""))
    let config = try ConfigFile.load(path: path)
    #expect(config.section(for: .anthropic).model == "claude-new")
    #expect(config.shadows(provider: false, model: "claude-new").allSatisfy { !$0.hasPrefix("[providers") })

    // A new default provider without a model of its own takes the top-level one.
    let moved = try ConfigFile.update([("provider", "openai"), ("model", "gpt-new")], path: path)
    #expect(moved.changes == ["provider = \"openai\"", "model = \"gpt-new\""])
    #expect(try ConfigFile.load(path: path).section(for: .openai).model == "gpt-new")

    let removed = try ConfigFile.update([("provider", "anthropic"), ("model", nil)], path: path)
    #expect(
      removed.changes == ["provider = \"anthropic\"", "[providers.anthropic] model removed, and at the top level"])
    #expect(try read(path) == "provider = \"anthropic\"\n\n[providers.anthropic]\n")
  }

  @Test func aTableModelItCannotEditIsNamedAsWinning() throws {
    let path = try file("config.toml", "provider = \"openai\"\n[providers]\nopenai.model = \"dotted\"\n")
    _ = try ConfigFile.update([("model", "m")], path: path)
    let shadows = try ConfigFile.load(path: path).shadows(provider: false, model: "m")
    #expect(shadows.contains { $0.hasPrefix("[providers.openai] model = \"dotted\" in \(path) wins") }, "\(shadows)")
  }
}

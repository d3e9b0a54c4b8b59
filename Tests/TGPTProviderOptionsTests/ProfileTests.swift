import ArgumentParser
import Foundation
import TGPTEvents
import TGPTProviders
import Testing

@testable import TGPTProviderOptions

@Suite struct ProfileTests {
  static let config = """
    model = "top/model"
    system = "top system"
    temperature = 1.0

    [profiles.local]
    base_url = "http://127.0.0.1:11434/v1"
    model = "llama3.2"
    system = "Answer in French."
    temperature = 0.2
    max_tokens = 300

    [profiles.claude]
    provider = "anthropic"
    model = "claude-haiku-4-5"
    api_key_cmd = "pass show anthropic"

    [profiles.terse]
    system = "One line."
    modle = "typo"
    """

  static func load(_ text: String = config) throws -> ConfigFile {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-profile-\(UUID()).toml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try ConfigFile.load(path: path)
  }

  static func resolve(_ arguments: [String], generation: [String] = [], _ config: ConfigFile) throws
    -> ResolvedProvider
  {
    try ResolvedProvider(
      provider: ProviderOptions.parse(arguments), transport: TransportOptions.parse([]),
      generation: GenerationOptions.parse(generation), config: config)
  }

  @Test func profilesAreReadWithTheirUnknownKeysReported() throws {
    let config = try Self.load()
    #expect(config.profiles.keys.sorted() == ["claude", "local", "terse"])
    #expect(
      config.profiles["local"]
        == ConfigFile.Profile(
          model: "llama3.2", baseURL: "http://127.0.0.1:11434/v1", system: "Answer in French.", temperature: 0.2,
          maxTokens: 300))
    #expect(config.warnings.contains { $0.hasSuffix("unknown key 'profiles.terse.modle' (ignored)") })
    #expect(throws: ProviderError.self) { try Self.load("[profiles.x]\ntemperature = \"hot\"\n") }
    #expect(throws: ProviderError.self) { try Self.load("profiles = 1\n") }
  }

  @Test func anUnknownProfileIsAConfigErrorListingTheKnownOnes() throws {
    let config = try Self.load()
    do {
      _ = try config.profile(named: "lcoal")
      Issue.record("an unknown profile was accepted")
    } catch {
      #expect(error.kind == .config)
      #expect(error.description.contains("unknown profile 'lcoal'"))
      #expect(error.description.contains("known: claude, local, terse"))
    }
    #expect(throws: ProviderError.self) { try Self.resolve(["--profile", "nope"], config) }
  }

  @Test func aProfileSitsAboveTheConfigFile() throws {
    let resolved = try Self.resolve(["--profile", "local"], try Self.load())
    #expect(resolved.settings.kind == .compatible, "a base URL alone means a compatible server")
    #expect(resolved.settings.baseURL == "http://127.0.0.1:11434/v1")
    #expect(resolved.model == "llama3.2")
    #expect(resolved.system == "Answer in French.")
    #expect(resolved.temperature == 0.2)
    #expect(resolved.maxTokens == 300)

    let terse = try Self.resolve(["--profile", "terse", "--provider", "openrouter"], try Self.load())
    #expect(terse.system == "One line.")
    #expect(terse.model == "top/model", "a profile without a model leaves the config's")
    #expect(terse.temperature == 1.0)
  }

  @Test func flagsWinOverTheProfile() throws {
    let resolved = try Self.resolve(
      ["--profile", "local", "-m", "flag/model"], generation: ["--temperature", "0.7"], try Self.load())
    #expect(resolved.model == "flag/model")
    #expect(resolved.temperature == 0.7)
    #expect(resolved.settings.baseURL == "http://127.0.0.1:11434/v1")
  }

  @Test func anotherProviderOnTheCommandLineDropsTheProfilesConnection() throws {
    let options = try ProviderOptions.parse(["--provider", "openai"])
    let claude = try #require(try Self.load().profiles["claude"])
    let applied = try options.applying(claude)
    #expect(applied.provider == .openai)
    #expect(applied.model == nil, "claude-haiku-4-5 is not sent to OpenAI")
    #expect(applied.apiKeyCmd == nil, "nor is the Anthropic key")

    let base = try ProviderOptions.parse(["--base-url", "http://elsewhere/v1"]).applying(claude)
    #expect(base.provider == nil && base.model == nil && base.apiKeyCmd == nil)

    let same = try ProviderOptions.parse(["--provider", "anthropic"]).applying(claude)
    #expect(same.model == "claude-haiku-4-5" && same.apiKeyCmd == "pass show anthropic")
  }

  @Test func aProfileNamingAnUnknownProviderIsAConfigError() throws {
    let config = try Self.load("[profiles.x]\nprovider = \"opneai\"\n")
    do {
      _ = try Self.resolve(["--profile", "x"], config)
      Issue.record("an unknown provider was accepted")
    } catch let error as ProviderError {
      #expect(error.kind == .config)
      #expect(error.description.contains("'opneai'"))
    }
  }
}

import Foundation
import Testing

/// The fake provider's own command line: `--help` once started a server instead.
@Suite(.timeLimit(.minutes(10))) struct FakeProviderTests {
  @Test func helpPrintsTheUsageAndExits() async throws {
    for flag in ["--help", "-h"] {
      let result = try await Harness.run("tgpt-fake-provider", [flag])
      #expect(result.status == 0)
      #expect(result.text.hasPrefix("usage: tgpt-fake-provider [--port N]\n"))
      #expect(result.text.contains("/[SCENARIO/]v1/chat/completions"))
      #expect(!result.text.contains("http://127.0.0.1:"), "no server was started")
    }
    let wrong = try await Harness.run("tgpt-fake-provider", ["--prot", "80"])
    #expect(wrong.status == 64)
    #expect(wrong.stderr == "tgpt-fake-provider: error: unknown argument '--prot' (see tgpt-fake-provider --help)\n")
  }
}

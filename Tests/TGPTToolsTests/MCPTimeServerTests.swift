import Foundation
import TGPTEvents
import TGPTProviders
import TGPTTools
import Testing

/// MCPServer against a real third-party server: `mcp-server-time` from PyPI, in the venv the
/// tests make at `.build/test-venv`.
@Suite(.timeLimit(.minutes(10))) struct MCPTimeServerTests {
  func start() async throws -> MCPServer {
    try await startPatiently(name: "time", command: [TestVenv.mcpServerTime(), "--local-timezone", "UTC"])
  }

  @Test func itListsGetCurrentTimeAndAnswersForUTC() async throws {
    let server = try await start()
    let tool = try #require(server.tools.first { $0.name == "get_current_time" })
    #expect(tool.parameters["properties"]?["timezone"]?["type"] == "string")
    let outcome = await server.call(name: "get_current_time", arguments: ["timezone": "UTC"])
    #expect(!outcome.isError && outcome.exitCode == nil)
    let answer = try JSON.parse(outcome.content)
    #expect(answer["timezone"] == "UTC", "\(outcome.content)")
    #expect(answer["datetime"]?.stringValue?.hasSuffix("+00:00") == true, "\(outcome.content)")
    await server.stop()
  }

  @Test func aBadTimezoneIsAnErrorOutcome() async throws {
    let server = try await start()
    let outcome = await server.call(name: "get_current_time", arguments: ["timezone": "Mars/Olympus_Mons"])
    #expect(outcome.isError)
    #expect(outcome.content.contains("Mars/Olympus_Mons"), "\(outcome.content)")
    await server.stop()
  }

  @Test func aKilledServerIsRestartedByTheNextCall() async throws {
    let server = try await start()
    let first = try #require(server.processID)
    kill(first, SIGKILL)
    try await waitUntil("the server was seen gone") { server.processID == nil }
    let outcome = await server.call(name: "get_current_time", arguments: ["timezone": "UTC"])
    #expect(!outcome.isError, "\(outcome.content)")
    #expect(try JSON.parse(outcome.content)["timezone"] == "UTC")
    let second = try #require(server.processID)
    #expect(second != first)
    await server.stop()
    #expect(processIsGone(second))
  }
}

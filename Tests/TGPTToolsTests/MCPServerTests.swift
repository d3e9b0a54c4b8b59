import Foundation
import TGPTEvents
import TGPTProviders
import Testing

@testable import TGPTTools

/// MCPServer against the tiny Python server written by the test.
@Suite(.timeLimit(.minutes(10))) struct MCPServerTests {
  /// The tiny server's command in `scratch`, in `mode`; it logs what it receives to "log".
  func tinyCommand(_ scratch: Scratch, _ mode: String = "normal") throws -> [String] {
    let script = try scratch.write("tiny.py", TinyMCPServer.script)
    return ["python3", "-u", script, mode, scratch.file("log")]
  }

  func startError(_ command: [String], startTimeout: Duration = .seconds(300)) async -> ToolError? {
    do throws(ToolError) {
      let server = try await startPatiently(name: "tiny", command: command, startTimeout: startTimeout)
      await server.stop()
      return nil
    } catch {
      return error
    }
  }

  @Test func itListsEveryPageOfToolsAndLeavesOutNamesProvidersRefuse() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let server = try await startPatiently(name: "tiny", command: tinyCommand(scratch))
    #expect(server.tools.map(\.name) == ["echo", "fail", "slow", "crash", "ask", "rpcerror"])
    #expect(server.tools.first?.description == "test tool echo" && server.tools.first?.parameters == ["type": "object"])
    #expect(server.ignoredTools == ["not valid.name"])
    let log = scratch.read("log") ?? ""
    #expect(log.contains(#""clientInfo":{"name":"tgpt","version":"\#(ToolkitVersion.string)"}"#))
    #expect(
      log.contains(#""protocolVersion":"2025-06-18""#)
        && log.contains(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#))
    await server.stop()
  }

  @Test func textContentIsTheResultAndOtherContentIsDescribed() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let server = try await startPatiently(name: "tiny", command: tinyCommand(scratch))
    let outcome = await server.call(name: "echo", arguments: ["city": "Zürich", "days": 3])
    #expect(outcome == ToolOutcome(content: #"{"city":"Zürich","days":3}"# + "\nsecond\n[image/png, 6 bytes]"))
    await server.stop()
  }

  @Test func isErrorAndJSONRPCErrorsAreErrorOutcomes() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let server = try await startPatiently(name: "tiny", command: tinyCommand(scratch))
    #expect(await server.call(name: "fail", arguments: [:]) == ToolOutcome(content: "it failed", isError: true))
    #expect(
      await server.call(name: "rpcerror", arguments: [:])
        == ToolOutcome(
          content: "MCP server tiny answered the call to rpcerror with an error: no such thing (-32000)", isError: true)
    )
    let invalid = await server.call(name: "echo", arguments: .string("{oops"))
    #expect(invalid.isError && invalid.content.contains("not valid JSON"))
    await server.stop()
  }

  @Test func aRequestFromTheServerIsAnsweredMethodNotFound() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let server = try await startPatiently(name: "tiny", command: tinyCommand(scratch))
    let outcome = await server.call(name: "ask", arguments: [:])
    #expect(outcome.content == #"the client said {"code": -32601, "message": "tgpt does not support roots/list"}"#)
    await server.stop()
  }

  @Test func aSlowCallTimesOutAndIsWithdrawn() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let server = try await startPatiently(name: "tiny", command: tinyCommand(scratch), callTimeout: .seconds(1))
    let outcome = await server.call(name: "slow", arguments: [:])
    #expect(
      outcome == ToolOutcome(content: "MCP server tiny did not answer the call to slow within 1 s", isError: true))
    try await waitUntil("the server was told the call was withdrawn") {
      scratch.read("log")?.contains(
        #""method":"notifications/cancelled","params":{"requestId":4,"reason":"timed out"}"#)
        ?? false
    }
    await server.stop()
  }

  @Test func cancellingTheCallerWithdrawsTheCall() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let server = try await startPatiently(name: "tiny", command: tinyCommand(scratch))
    let call = Task { await server.call(name: "slow", arguments: [:]) }
    try await waitUntil("the call reached the server") { scratch.read("log")?.contains(#""name":"slow""#) ?? false }
    call.cancel()
    #expect(await call.value == ToolOutcome(content: "the call to slow was cancelled", isError: true))
    try await waitUntil("the server was told") {
      scratch.read("log")?.contains(#""requestId":4,"reason":"cancelled by the user""#) ?? false
    }
    await server.stop()
  }

  @Test func aServerThatDiesFailsItsCallAndTheNextCallRestartsIt() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let server = try await startPatiently(name: "tiny", command: tinyCommand(scratch))
    let first = try #require(server.processID)
    #expect(
      await server.call(name: "crash", arguments: [:])
        == ToolOutcome(content: "MCP server tiny exited with status 3 during the call to crash", isError: true))
    #expect(server.processID == nil)
    #expect(await server.call(name: "fail", arguments: [:]).content == "it failed")
    let second = try #require(server.processID)
    #expect(second != first && processIsGone(first))
    #expect(server.tools.count == 6, "listed again")
    await server.stop()
    #expect(processIsGone(second) && server.processID == nil)
    #expect(await server.call(name: "fail", arguments: [:]).content == "MCP server tiny has been stopped")
  }

  @Test func aServerThatExitsAtStartIsAClearError() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let error = await startError(try tinyCommand(scratch, "exit-at-start"))
    #expect(error?.description == "MCP server tiny: it exited with status 7 while starting")
    #expect(error?.kind == .unavailable)
  }

  @Test func aServerThatRefusesOrCannotStartOrNeverAnswersIsAClearError() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    #expect(
      await startError(try tinyCommand(scratch, "refuse"))?.description
        == "MCP server tiny: it refused initialize: unsupported protocol version (-32602)")
    #expect(
      await startError(["tgpt-no-such-server"])?.description
        == "MCP server tiny: cannot start tgpt-no-such-server: No such file or directory")
    let silent = await startError(try tinyCommand(scratch, "silent"), startTimeout: .seconds(1))
    #expect(silent?.description == "MCP server tiny did not start within 1 s" && silent?.kind == .timeout)
  }

  @Test func restartsBackOffFromHalfASecondToThirtySeconds() {
    let delays = (1...9).map { MCPServer.backoff(restart: $0) }
    #expect(delays == [0.5, 1, 2, 4, 8, 16, 30, 30, 30].map { Duration.milliseconds(Int64($0 * 1000)) })
  }
}

import TGPTEvents
import TGPTProviders
import TGPTTools
import Testing

@Suite(.timeLimit(.minutes(10))) struct ToolBoxTests {
  @Test func itOffersExecutablesAndServerToolsAndRunsEachByName() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let script = try scratch.write("tiny.py", TinyMCPServer.script)
    let server = try await startPatiently(
      name: "tiny", command: ["python3", "-u", script, "normal", scratch.file("log")])
    let box = try ToolBox(executables: [scratch.shellTool("shout", "tr a-z A-Z")], servers: [server])
    #expect(box.specs.map(\.name) == ["shout", "echo", "fail", "slow", "crash", "ask", "rpcerror"])

    let streamed = Streamed()
    let shout = Event.ToolCall(callID: "c1", name: "shout", arguments: ["say": "hi"])
    #expect(
      await box.run(shout, onOutput: streamed.collect) == ToolOutcome(content: #"{"SAY":"HI"}"# + "\n", exitCode: 0))
    #expect(streamed.text == #"{"SAY":"HI"}"# + "\n")
    let fail = Event.ToolCall(callID: "c2", name: "fail", arguments: [:])
    #expect(await box.run(fail, onOutput: { _ in }) == ToolOutcome(content: "it failed", isError: true))

    let unknown = await box.run(Event.ToolCall(callID: "c3", name: "shot", arguments: [:]), onOutput: { _ in })
    #expect(
      unknown
        == ToolOutcome(
          content: "no tool named shot; the tools are: shout, echo, fail, slow, crash, ask, rpcerror", isError: true))

    await box.shutdown()
    #expect(server.processID == nil)
  }

  @Test func twoToolsOfOneNameAreAnError() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let script = try scratch.write("tiny.py", TinyMCPServer.script)
    let server = try await startPatiently(
      name: "tiny", command: ["python3", "-u", script, "normal", scratch.file("log")])
    let echo = try scratch.shellTool("echo", "cat")
    do throws(ToolError) {
      _ = try ToolBox(executables: [echo], servers: [server])
      Issue.record("a box with two tools named echo")
    } catch {
      #expect(error.description == "two tools are named echo: one from \(echo.origin), one from MCP server tiny")
      #expect(error.kind == .config)
    }
    do throws(ToolError) {
      _ = try ToolBox(executables: [echo, echo])
      Issue.record("a box with two tools named echo")
    } catch {
      #expect(error.description == "two tools are named echo: one from \(echo.origin), one from \(echo.origin)")
    }
    await server.stop()
  }

  @Test func anEmptyBoxSaysThereAreNoTools() async throws {
    let box = try ToolBox()
    #expect(box.isEmpty)
    let outcome = await box.run(Event.ToolCall(callID: "c", name: "x", arguments: [:]), onOutput: { _ in })
    #expect(outcome == ToolOutcome(content: "no tool named x; there are no tools", isError: true))
  }
}

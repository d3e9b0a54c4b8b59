import Foundation
import TGPTEvents
import TGPTProviders
import TGPTTools
import Testing

@Suite(.timeLimit(.minutes(5))) struct ExecutableToolRunTests {
  @Test func theArgumentsArriveOnStdinAsOneLineOfCompactJSON() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let text = #"{"q":"héllo \"x\"","n":1.50,"list":[1,{"a":null}],"e":"\u0001"}"#
    let arguments = try JSON.parse(text)
    let tool = try scratch.shellTool("echoer", "exec cat")
    let outcome = await tool.run(arguments: arguments, onOutput: { _ in })
    #expect(outcome == ToolOutcome(content: arguments.compactText + "\n", exitCode: 0))
    #expect(outcome.content.hasPrefix(#"{"q":"héllo \"x\"","n":1.50,"#), "numbers keep their text")
  }

  @Test func stdoutStreamsInPiecesBeforeTheToolEnds() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    // The tool cannot end before the test has seen its first line: only then is "go" made.
    let tool = try scratch.shellTool(
      "stepper", #"printf 'first\n'; while [ ! -e "$1/go" ]; do sleep 0.01; done; printf 'second\n'"#)
    let streamed = Streamed()
    let run = Task { await tool.run(arguments: [:], onOutput: streamed.collect) }
    try await waitUntil("the first line streamed") { streamed.text == "first\n" }
    try scratch.write("go", "")
    let outcome = await run.value
    #expect(outcome == ToolOutcome(content: "first\nsecond\n", exitCode: 0))
    #expect(streamed.all.first == "first\n" && streamed.text == outcome.content)
  }

  @Test func aNonZeroExitIsAnErrorWithStdoutStderrAndTheStatus() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let tool = try scratch.shellTool("failing", #"printf 'partial result'; printf 'disk full\n' >&2; exit 3"#)
    let outcome = await tool.run(arguments: [:], onOutput: { _ in })
    #expect(outcome.isError && outcome.exitCode == 3)
    #expect(outcome.content == "partial result\nstderr:\ndisk full\ntool failing exited with status 3")
  }

  @Test func stderrOfASuccessIsNotTheResult() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let tool = try scratch.shellTool("chatty", #"printf 'working…\n' >&2; printf 'done'"#)
    #expect(await tool.run(arguments: [:], onOutput: { _ in }) == ToolOutcome(content: "done", exitCode: 0))
  }

  @Test func aToolPastItsTimeoutIsStoppedWithAnError() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let tool = try scratch.shellTool("sleeper", "printf 'started\\n'; sleep 600", timeout: .seconds(1))
    let outcome = await tool.run(arguments: [:], onOutput: { _ in })
    // Only the end is certain: a loaded machine may not have run the printf within the second.
    #expect(outcome.isError && outcome.content.hasSuffix("tool sleeper timed out after 1 s and was stopped"))
  }

  @Test func aToolThatIgnoresSIGTERMIsKilled() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let tool = try scratch.shellTool("stubborn", #"trap '' TERM; touch "$1/ready"; while :; do sleep 0.05; done"#)
    let run = Task { await tool.run(arguments: [:], onOutput: { _ in }) }
    try await waitUntil("the tool ignores SIGTERM") { scratch.exists("ready") }
    run.cancel()
    let outcome = await run.value
    #expect(outcome == ToolOutcome(content: "tool stubborn was cancelled", exitCode: 128 + Int(SIGKILL), isError: true))
  }

  @Test func tenMegabytesOfOutputAreCutAtTheLimitAndTheToolIsStopped() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    // 10 MB, then a sign of having gone on: the tool must be stopped before it gets there.
    let tool = try scratch.shellTool(
      "flood", #"head -c 10485760 /dev/zero | tr '\0' x; touch "$1/finished""#, maxOutputBytes: 65536)
    let streamed = Streamed()
    let outcome = await tool.run(arguments: [:], onOutput: streamed.collect)
    #expect(outcome.isError)
    let kept = String(repeating: "x", count: 65536)
    #expect(
      outcome.content == kept
        + "\ntool flood printed too much: its output was cut at 65536 bytes and the tool was stopped")
    #expect(streamed.text == kept, "only the kept bytes are streamed")
    #expect(!scratch.exists("finished"))
  }

  @Test func aCutNeverSplitsACharacter() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let tool = try scratch.shellTool("accents", "printf 'ééé'", maxOutputBytes: 5)
    let streamed = Streamed()
    let outcome = await tool.run(arguments: [:], onOutput: streamed.collect)
    #expect(streamed.text == "éé")
    #expect(outcome.isError && outcome.content.hasPrefix("éé\n"))
  }

  @Test func aCommandThatCannotStartIsAnErrorOutcome() async throws {
    let tool = ExecutableTool(
      spec: .init(name: "missing", description: "", parameters: [:]), command: ["tgpt-no-such-program-here"])
    let outcome = await tool.run(arguments: [:], onOutput: { _ in })
    #expect(outcome.isError && outcome.exitCode == nil)
    #expect(outcome.content.hasPrefix("cannot start tool missing: tgpt-no-such-program-here: No such file"))
  }

  @Test func argumentsThatWereNotValidJSONAreNotRun() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let tool = try scratch.shellTool("marker", #"touch "$1/ran""#)
    let outcome = await tool.run(arguments: .string(#"{"path": "/tmp"#), onOutput: { _ in })
    #expect(outcome.isError && outcome.exitCode == nil)
    #expect(outcome.content == #"tool marker was not run: its arguments were not valid JSON: {"path": "/tmp"#)
    #expect(!scratch.exists("ran"))
  }

  @Test func cancellingTheCallerKillsTheToolsWholeGroup() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let tool = try scratch.shellTool(
      "lingering", #"sleep 600 & echo $! > "$1/child"; echo $$ > "$1/pid"; wait"#)
    let run = Task { await tool.run(arguments: [:], onOutput: { _ in }) }
    try await waitUntil("the tool wrote its pids") {
      (scratch.read("pid")?.hasSuffix("\n") ?? false) && (scratch.read("child")?.hasSuffix("\n") ?? false)
    }
    let pids = ["pid", "child"].compactMap { scratch.read($0).flatMap { Int32($0.trimmingCharacters(in: .newlines)) } }
    #expect(pids.count == 2)
    run.cancel()
    let outcome = await run.value
    #expect(
      outcome.isError && outcome.content == "tool lingering was cancelled" && outcome.exitCode == 128 + Int(SIGTERM))
    for pid in pids { try await waitUntil("process \(pid) ended") { processIsGone(pid) } }
  }

  @Test func helpersLeftBehindEndWithTheTool() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    // The helper holds the tool's stdout open: without being stopped, it would keep the run
    // going until the timeout.
    let tool = try scratch.shellTool("forker", #"sleep 600 & echo $! > "$1/child"; printf done"#)
    #expect(await tool.run(arguments: [:], onOutput: { _ in }) == ToolOutcome(content: "done", exitCode: 0))
    let child = try #require(scratch.read("child").flatMap { Int32($0.trimmingCharacters(in: .newlines)) })
    try await waitUntil("the helper ended") { processIsGone(child) }
  }

  @Test func aToolThatDoesNotReadItsStdinStillRuns() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let tool = try scratch.shellTool("deaf", "printf ok")
    let big = JSON.object(JSONObject([("text", .string(String(repeating: "y", count: 1 << 20)))]))
    #expect(await tool.run(arguments: big, onOutput: { _ in }) == ToolOutcome(content: "ok", exitCode: 0))
  }

  @Test func itRunsInTheWorkingDirectoryItIsGivenOrOurs() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let tool = try scratch.shellTool("where", "pwd")
    let there = await tool.run(arguments: [:], workingDirectory: scratch.path, onOutput: { _ in })
    #expect(there == ToolOutcome(content: scratch.path + "\n", exitCode: 0))
    let here = await tool.run(arguments: [:], onOutput: { _ in })
    #expect(here.content == FileManager.default.currentDirectoryPath + "\n")
    let nowhere = await tool.run(arguments: [:], workingDirectory: scratch.file("absent"), onOutput: { _ in })
    #expect(nowhere.isError && nowhere.content.contains("does not exist"))
  }
}

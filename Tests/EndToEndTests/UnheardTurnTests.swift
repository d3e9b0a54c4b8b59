import Foundation
import TGPTEvents
import Testing

/// Work whose asker has gone before it begins — the reader of tgpt-session's stdout closed,
/// as when the `tgpt-ws-bridge serve` that relays it was killed while the message waited —
/// is not done: the history keeps no question that nobody saw answered (after turns its asker
/// went on to send elsewhere), and a session the client went on with is not deleted later.
@Suite(.timeLimit(.minutes(10))) struct UnheardTurnTests {
  static let cases: [(mode: String, arguments: [String], input: String)] = [
    ("serve", ["serve"], #"{"message":"unheard","session_id":"kept"}"# + "\n"),
    ("turn", ["-s", "kept"], "unheard"),
    ("delete", ["serve"], #"{"delete":true,"session_id":"kept"}"# + "\n"),
  ]

  @Test(arguments: cases.indices)
  func workWhoseReaderHasGoneLeavesTheSessionAsItWasAndExitsZero(_ index: Int) async throws {
    let (mode, arguments, input) = Self.cases[index]
    let env = SessionEndToEndTests.home()
    let before = try await SessionEndToEndTests.session(
      ["-s", "kept", "--provider", "echo"], env: env, stdin: "before")
    try #require(before.status == 0, "\(before.stderr)")
    let unheard = try await RunningProcess.startUnheard(
      Harness.binary("tgpt-session").path, arguments + ["--provider", "echo"], env: env, input: input)
    #expect(await unheard.exitStatus() == 0, "\(mode): \(unheard.stderr)")
    let contents = try await SessionEndToEndTests.messages("kept", env: env).compactMap { $0["content"]?.stringValue }
    #expect(contents == ["before", "before"], "\(mode): \(contents)")
  }
}

import Foundation
import TGPTEvents
import Testing

/// A turn whose asker has gone before it begins — the reader of tgpt-session's stdout closed,
/// as when the `tgpt-ws-bridge serve` that relays it was killed while the message waited —
/// is not begun: the history keeps no question that nobody saw answered, after turns its
/// asker went on to send elsewhere.
@Suite(.timeLimit(.minutes(10))) struct UnheardTurnTests {
  @Test(arguments: ["serve", "turn"])
  func aTurnWhoseReaderHasGoneLeavesNoRecordAndExitsZero(_ mode: String) async throws {
    let env = SessionEndToEndTests.home()
    let before = try await SessionEndToEndTests.session(
      ["-s", "kept", "--provider", "echo"], env: env, stdin: "before")
    try #require(before.status == 0, "\(before.stderr)")
    let (arguments, input) =
      mode == "serve"
      ? (["serve", "--provider", "echo"], #"{"message":"unheard","session_id":"kept"}"# + "\n")
      : (["-s", "kept", "--provider", "echo"], "unheard")
    let unheard = try await RunningProcess.startUnheard(
      Harness.binary("tgpt-session").path, arguments, env: env, input: input)
    #expect(await unheard.exitStatus() == 0, "\(unheard.stderr)")
    let contents = try await SessionEndToEndTests.messages("kept", env: env).compactMap { $0["content"]?.stringValue }
    #expect(contents == ["before", "before"], "\(contents)")
  }
}

import Foundation
import Logging
import TGPTBridge
import TGPTEvents
import Testing

/// The relay's side of principals: the child learns each line's principal from the
/// connection, never from the client, and quotas hold per principal.
@Suite(.timeLimit(.minutes(5))) struct PrincipalRelayTests {
  /// A child that appends every line it reads to `file` and answers it like `answeringChild`.
  static func recordingChild(_ file: String) -> [String] {
    [
      "/bin/sh", "-c",
      #"while IFS= read -r l; do printf '%s\n' "$l" >> "$0"; id=$(printf '%s' "$l" | sed 's/.*"id":"\([^"]*\)".*/\1/'); "#
        + #"printf '{"type":"chunk","content":"ok","id":"%s"}\n{"type":"complete","processing_time_ms":0,"id":"%s"}\n' "$id" "$id"; done"#,
      file,
    ]
  }

  static func lines(_ file: String, count: Int) async throws -> [JSON] {
    while true {
      let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
      let lines = text.split(separator: "\n")
      if lines.count >= count { return try lines.map { try JSON.parse(Array($0.utf8)) } }
      try await Task.sleep(for: .milliseconds(10))
    }
  }

  @Test func theChildGetsTheConnectionsPrincipalWhateverTheClientWrote() async throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("relay-\(UUID().uuidString)").path
    try await withRelay(.init(command: Self.recordingChild(file))) { relay in
      let alice = try relay.connect(sessionID: "work", principal: "alice")
      let anonymous = try relay.connect(sessionID: "work")
      relay.submit(InputMessage(message: "x", sessionID: "other", id: "1", principal: "bob"), on: alice)
      relay.submit(.history(HistoryRequest(id: "2", sessionID: "other", principal: "bob")), on: alice)
      relay.submit(InputMessage(message: "y", id: "3", principal: "bob"), on: anonymous)
      relay.submit(.sessions(SessionsRequest(id: "4", principal: "bob")), on: alice)
      _ = await events(of: alice, count: 6)
      _ = await events(of: anonymous, count: 2)
      let seen = try await Self.lines(file, count: 4)
      let aliceLines = seen.filter { $0["principal"] != nil }
      #expect(aliceLines.count == 3 && aliceLines.allSatisfy { $0["principal"]?.stringValue == "alice" }, "\(seen)")
      #expect(aliceLines.filter { $0["sessions"] == nil }.allSatisfy { $0["session_id"]?.stringValue == "work" })
      #expect(aliceLines.contains { $0["sessions"] == .bool(true) }, "the sessions request went on as alice's")
      #expect(seen.contains { $0["message"]?.stringValue == "y" && $0["principal"] == nil }, "\(seen)")
    }
  }

  @Test func aPrincipalPastItsQuotaIsRefusedWhileAnotherGoesOn() async throws {
    let quotas = PrincipalQuotas(limits: .init(inFlight: 2, perMinute: 0, sessions: 1))
    try await withRelay(.init(command: cancellableChild, quotas: quotas)) { relay in
      let alice = try relay.connect(sessionID: "a", principal: "alice")
      #expect(throws: QuotaRefusal.self) { try relay.connect(sessionID: "b", principal: "alice") }
      let again = try relay.connect(sessionID: "a", principal: "alice")
      again.close()
      for id in ["1", "2", "3"] { relay.submit(InputMessage(message: "m", id: id), on: alice) }
      let seen = await events(of: alice, count: 3)
      let refused = seen.first { $0.type == "error" }
      #expect(refused?.id == "3", "the third in flight is over the quota: \(seen)")
      #expect(quotas.current(for: "alice").inFlight == 2)
      let bob = try relay.connect(sessionID: "a", principal: "bob")
      relay.submit(InputMessage(message: "m", id: "b"), on: bob)
      #expect(await events(of: bob, count: 1).first?.type == "chunk", "bob is not held up by alice")
      relay.cancel(CancelRequest(id: "1"), on: alice)
      relay.cancel(CancelRequest(id: "2"), on: alice)
      while quotas.current(for: "alice").inFlight > 0 { try await Task.sleep(for: .milliseconds(10)) }
      alice.close()
      #expect(quotas.current(for: "alice").sessions == 0)
      _ = try relay.connect(sessionID: "b", principal: "alice")
    }
  }

  @Test func theRateQuotaRefillsOverTime() {
    let quotas = PrincipalQuotas(limits: .init(inFlight: 0, perMinute: 60, sessions: 0))
    let start = ContinuousClock.now
    var refusals = 0
    for _ in 0..<11 {
      if let refusal = quotas.begin(for: "p", now: start) {
        refusals += 1
        #expect(refusal == .perMinute(60))
      }
    }
    #expect(refusals == 1, "a burst of ten seconds' worth")
    #expect(quotas.begin(for: "p", now: start + .seconds(1)) == nil)
    #expect(quotas.begin(for: "other", now: start) == nil, "another principal has its own bucket")
  }
}

import Foundation
import TGPTSession
import Testing

@testable import TGPTEvents
@testable import TGPTOrchestrator

/// `{"sessions":true}`: the principal's own sessions, newest first, at most
/// `SessionsRequest.limit`, without where their provider is.
@Suite(.timeLimit(.minutes(5))) struct SessionsRequestTests {
  @Test func aPrincipalListsItsOwnNewestSessionsOnly() async throws {
    let store = try makeStore()
    let alice = store.scoped(to: "alice")
    for index in 0..<(SessionsRequest.limit + 5) {
      try await alice.update(
        "s\(index)", settings: SessionSettings(model: "m", baseURL: "http://inside.example/v1"),
        now: Int64(1000 + index))
    }
    try await store.scoped(to: "bob").update("bobs", settings: SessionSettings(), now: 5000)
    let lines = [
      #"{"sessions":true,"principal":"alice","id":"a"}"#, #"{"sessions":true,"principal":"bob","id":"b"}"#,
      #"{"sessions":true,"id":"d"}"#, #"{"sessions":"yes","id":"bad"}"#,
    ]
    let events = Collected()
    _ = await loop(echoRunner(store), .perSession).run(feed(lines).0, interruption: { "" }) { events.append($0) }

    func listed(_ id: String) throws -> [JSON] {
      #expect(events.all.filter { $0.id == id }.map(\.type) == ["sessions", "complete"])
      let event = try #require(events.all.first { $0.id == id && $0.type == "sessions" })
      guard case .other(_, let fields) = event.payload else { return [] }
      return fields["sessions"]?.arrayValue ?? []
    }
    let alices = try listed("a")
    #expect(alices.count == SessionsRequest.limit)
    let newest = SessionsRequest.limit + 4
    #expect(alices.first?["id"]?.stringValue == "s\(newest)" && alices.last?["id"]?.stringValue == "s5")
    #expect(alices.allSatisfy { $0["type"]?.stringValue == "session" && $0["model"]?.stringValue == "m" })
    #expect(alices.allSatisfy { $0["base_url"] == nil }, "where the provider is stays the server's")
    #expect(try listed("b").map { $0["id"]?.stringValue } == ["bobs"])
    #expect(try listed("d").isEmpty, "the orchestrator's own principal has no sessions")
    #expect(events.all.first { $0.id == "bad" }?.type == "error")
  }

  @Test func theRequestReadsAndWritesItsWireForm() throws {
    func read(_ text: String) throws -> ClientInput { try ClientInput(json: JSON.parse(text)) }
    #expect(try read(#"{"sessions":true,"id":"l"}"#) == .sessions(SessionsRequest(id: "l")))
    #expect(try read(#"{"sessions":true}"#) == .sessions(SessionsRequest()))
    for bad in [#"{"sessions":false}"#, #"{"sessions":true,"id":3}"#, #"{"sessions":true,"principal":"a:b"}"#] {
      #expect(throws: ProtocolError.self, "\(bad)") { try read(bad) }
    }
    let request = SessionsRequest(id: "l", principal: "alice")
    #expect(try ClientInput(json: request.json) == .sessions(request))
    #expect(ClientInput.sessions(request).id == "l")
  }
}

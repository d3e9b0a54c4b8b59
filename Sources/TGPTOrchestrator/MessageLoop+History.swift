import TGPTEvents
import TGPTProviders
import TGPTSession

extension MessageLoop {
  /// Answers a history request: one `history` event with the session's export (its session
  /// line, or null when the session is not used yet, and its message lines), then `complete`.
  func history(of sessionID: String, id: String, store: any SessionStore, emit: @Sendable (Event) throws -> Void)
    async -> RunOutcome
  {
    let started = ContinuousClock.now
    let tag = { (payload: Event.Payload) in Event(payload, id: id, sessionID: sessionID) }
    var answer: [Event]
    var outcome: RunOutcome
    if !SessionID.isValid(sessionID) {
      // As for a turn: the line is what is wrong.
      let failure = Event.Failure(message: StoreError.invalidID(sessionID).description, code: .badInput)
      answer = [tag(.error(failure))]
      outcome = .failed(failure)
    } else {
      do {
        var export = try await store.session(sessionID)
        // Where a session's provider is (an internal host, a URL with a key in it) is the
        // server's business, not every client's.
        export?.summary.settings.baseURL = nil
        let lines = export?.lines ?? []
        let parsed = try lines.map { line throws(ProtocolError) in try JSON.parse(line) }
        let fields = JSONObject([("session", parsed.first ?? .null), ("messages", .array(Array(parsed.dropFirst())))])
        let complete = Event.Complete(processingTimeMs: Int((ContinuousClock.now - started) / .milliseconds(1)))
        answer = [tag(.other(type: "history", fields: fields)), tag(.complete(complete))]
        outcome = .completed(complete)
      } catch {
        let failure =
          (error as? StoreError).map { Event.Failure(message: $0.description, code: $0.kind) }
          ?? Event.Failure(message: "cannot read the history: \(error)", code: .internal)
        answer = [tag(.error(failure))]
        outcome = .failed(failure)
      }
    }
    return Self.write(answer, outcome, emit)
  }

  /// Writes the events of a request's answer; `outcome`, unless writing failed.
  static func write(_ answer: [Event], _ outcome: RunOutcome, _ emit: @Sendable (Event) throws -> Void) -> RunOutcome {
    do {
      for event in answer { try emit(event) }
      return outcome
    } catch {
      return RunOutcome(writeFailure: error)
    }
  }
}

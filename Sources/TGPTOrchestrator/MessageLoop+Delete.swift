import TGPTEvents
import TGPTProviders
import TGPTSession

extension MessageLoop {
  /// Answers a delete request, in the session's order (the turns sent before it have ended):
  /// waits for a turn of the session in another process, deletes the session, then one
  /// `deleted` event (`existed`: whether there was one) and `complete`. Deletes nothing when
  /// the reader of the events has gone by then, as a turn then records nothing.
  func delete(_ sessionID: String, id: String, runner: TurnRunner, emit: @Sendable (Event) throws -> Void)
    async -> RunOutcome
  {
    let store = runner.store
    let started = ContinuousClock.now
    let tag = { (payload: Event.Payload) in Event(payload, id: id, sessionID: sessionID) }
    guard SessionID.isValid(sessionID) else {
      let failure = Event.Failure(message: StoreError.invalidID(sessionID).description, code: .badInput)
      return Self.write([tag(.error(failure))], .failed(failure), emit)
    }
    do {
      var existed = true
      do {
        let lease = try await store.lockTurns(of: sessionID)
        defer { withExtendedLifetime(lease) {} }
        // A killed server's child must not delete, later, a session its client went on with.
        if runner.outputGone() { return .outputClosed }
        try await store.remove(sessionID)
      } catch let error as StoreError where error.isNotFound {
        existed = false
      }
      let complete = Event.Complete(processingTimeMs: Int((ContinuousClock.now - started) / .milliseconds(1)))
      let deleted = Event.Payload.other(type: "deleted", fields: JSONObject([("existed", .bool(existed))]))
      return Self.write([tag(deleted), tag(.complete(complete))], .completed(complete), emit)
    } catch {
      let failure =
        (error as? StoreError).map { Event.Failure(message: $0.description, code: $0.kind) }
        ?? Event.Failure(message: "cannot delete the session: \(error)", code: .internal)
      return Self.write([tag(.error(failure))], .failed(failure), emit)
    }
  }
}

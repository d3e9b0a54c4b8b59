import TGPTEvents
import TGPTProviders
import TGPTSession

extension MessageLoop {
  /// Answers a sessions request: one `sessions` event with the session lines of the store's
  /// most recently used sessions (`SessionsRequest.limit`, newest first), then `complete`.
  func sessions(id: String, store: any SessionStore, emit: @Sendable (Event) throws -> Void) async -> RunOutcome {
    let started = ContinuousClock.now
    do {
      let summaries = try await store.list(limit: SessionsRequest.limit)
      let lines = try summaries.map { summary throws(ProtocolError) -> JSON in
        var summary = summary
        // As in a history: where a session's provider is stays the server's business.
        summary.settings.baseURL = nil
        return try JSON.parse(SessionExport.header(summary))
      }
      let fields = JSONObject([("sessions", .array(lines))])
      let complete = Event.Complete(processingTimeMs: Int((ContinuousClock.now - started) / .milliseconds(1)))
      return Self.write(
        [Event(.other(type: "sessions", fields: fields), id: id), Event(.complete(complete), id: id)],
        .completed(complete), emit)
    } catch {
      let failure =
        (error as? StoreError).map { Event.Failure(message: $0.description, code: $0.kind) }
        ?? Event.Failure(message: "cannot list the sessions: \(error)", code: .internal)
      return Self.write([Event(.error(failure), id: id)], .failed(failure), emit)
    }
  }
}

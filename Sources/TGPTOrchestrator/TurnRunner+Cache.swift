import TGPTEvents
import TGPTProviders
import TGPTSession

extension TurnRunner {
  /// Answers a turn from the response cache: `start` and `complete` say `"cached":true`, the
  /// answer comes as one chunk (after its reasoning, if any), and the turn is recorded in the
  /// session as if the provider had sent it, so the history is the same.
  func replay(
    _ hit: CachedAnswer, turn: TurnRequest, setup: TurnSetup, context: ContextBuilder.Context, record: TurnRecord,
    emit: @escaping @Sendable (Event) throws -> Void
  ) async -> RunOutcome {
    let started = ContinuousClock.now
    let tag = { (payload: Event.Payload) in Event(payload, id: turn.requestID, sessionID: turn.sessionID) }
    let model = hit.model ?? setup.request.model
    var events = [
      tag(
        .start(
          .init(
            model: model, provider: setup.runner.provider.kind.rawValue, turnsSent: context.turnsSent,
            turnsDropped: context.turnsDropped, cached: true)))
    ]
    if let reasoning = hit.reasoning, !reasoning.isEmpty { events.append(tag(.reasoning(.init(content: reasoning)))) }
    if !hit.content.isEmpty { events.append(tag(.chunk(.init(content: hit.content, model: model)))) }
    let store = self.store
    let recorded = await Task { () -> StoreError? in
      do {
        try await store.finishTurn(
          record, content: hit.content, status: .complete, model: model, usage: hit.usage, toolCalls: nil, error: nil,
          now: WallClock.milliseconds())
        return nil
      } catch {
        return (error as? StoreError) ?? StoreError.database("\(error)")
      }
    }.value
    if let recorded {
      events.append(
        tag(
          .error(
            .init(
              message: "the cached answer was sent but not stored (\(recorded.description))", code: .unavailable,
              partial: !hit.content.isEmpty))))
      return MessageLoop.write(events, .failed(Event.Failure(message: recorded.description, code: .unavailable)), emit)
    }
    let complete = Event.Complete(
      processingTimeMs: Int((ContinuousClock.now - started) / .milliseconds(1)), finishReason: hit.finishReason,
      usage: hit.usage, model: model, cached: true)
    events.append(tag(.complete(complete)))
    return MessageLoop.write(events, .completed(complete), emit)
  }
}

extension Answer.Snapshot {
  /// The answer as the response cache keeps it.
  var cached: CachedAnswer {
    CachedAnswer(
      content: content, reasoning: reasoning.isEmpty ? nil : reasoning, model: model, finishReason: finishReason,
      usage: usage)
  }
}

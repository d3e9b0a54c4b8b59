import Logging
import TGPTEvents
import TGPTProviders
import TGPTSession

extension TurnRunner {
  /// Streams the answer to `request`, round after round while the model calls tools: each
  /// round's calls run, their results go back, and the answer goes on. The client sees one
  /// turn — one `start`, one `complete` or `error` — with the tool events in between; each
  /// round is recorded as it ends.
  func answer(
    _ request: ChatRequest, turn: TurnRequest, setup: TurnSetup, context: ContextBuilder.Context, budget: Int,
    record: TurnRecord, interruption: @escaping @Sendable () -> String,
    emit: @escaping @Sendable (Event) throws -> Void
  ) async -> RunOutcome {
    let tag: @Sendable (Event.Payload) -> Event = { Event($0, id: turn.requestID, sessionID: turn.sessionID) }
    let started = ContinuousClock.now
    var request = request
    request.tools = setup.tools?.executor.specs ?? []
    var record = record
    var rounds = 0
    var toolsUsed: [String] = []
    var usage: Usage?
    let principal = store.principal
    let cacheKey = setup.cache.map { _ in
      TurnCache.key(principal: principal, provider: setup.runner.provider, request: request)
    }
    // A retry asks for another answer: the cached one is what it replaces. Its new answer is
    // still kept for later turns.
    if !turn.retry, let cache = setup.cache, let cacheKey,
      let hit = await cache.lookup(cacheKey, principal: principal, logger: logger)
    {
      return await replay(hit, turn: turn, setup: setup, context: context, record: record, emit: emit)
    }

    while true {
      let answer = Answer()
      let checkpoints = AnswerCheckpoints(store: store, record: record, answer: answer)
      let shaping = RoundShaping(
        first: rounds == 0, context: context, toolsUsed: toolsUsed,
        earlierUsage: usage, started: started)
      let outcome = await setup.runner.run(
        request, id: turn.requestID, sessionID: turn.sessionID, interruption: interruption
      ) { event in
        // The record keeps the round's own usage; the client's `complete` has the turn's.
        answer.absorb(event)
        guard let event = shaping.shape(event) else { return }
        try emit(event)
        if case .chunk = event.payload { checkpoints.chunkSent() }
      }
      await checkpoints.finish()
      let round = answer.snapshot()
      guard case .completed = outcome, let tools = setup.tools, !round.calls.isEmpty else {
        let stored = await finish(record, round, status: Self.status(of: outcome, partial: !round.content.isEmpty))
        guard case .completed = outcome else { return outcome }
        // Only a whole answer of one round (no tool ran: their effects are not to be skipped).
        if let cache = setup.cache, let cacheKey, rounds == 0, round.calls.isEmpty, round.error == nil,
          TurnCache.wholeAnswer.contains(round.finishReason ?? "")
        {
          await cache.save(round.cached, key: cacheKey, principal: principal, logger: logger)
        }
        return Self.deliverComplete(shaping, recordFailure: stored, tag: tag, emit: emit)
      }

      rounds += 1
      if rounds > tools.maxRounds {
        let failure = Event.Failure(
          message:
            "the model asked for tools again after \(tools.maxRounds) rounds (--max-tool-rounds \(tools.maxRounds)); the turn ends here",
          code: .badRequest, partial: true)
        await finish(record, round, status: .partial, error: failure.message)
        return Self.end(with: failure, tag: tag, emit: emit)
      }
      let calls = round.calls.map(ToolExchange.stored)
      let results: [Event.ToolResult]
      switch await ToolRound(tools: tools, tag: tag, emit: emit).run(round.calls) {
      case .cancelled(let stopped):
        // What the tools did is kept; the turn, cut short, stays out of later context.
        if let next = try? await recordRound(record, round, calls, stopped) {
          await finish(next, Answer.Snapshot(), status: .interrupted)
        } else {
          await finish(record, round, status: .interrupted)
        }
        return Self.end(
          with: Event.Failure(message: interruption(), code: .interrupted, partial: true), tag: tag, emit: emit)
      case .writeFailed(let error):
        await finish(record, round, status: .interrupted)
        return RunOutcome(writeFailure: error)
      case .finished(let finished):
        results = finished
      }
      for call in round.calls where !toolsUsed.contains(call.name) { toolsUsed.append(call.name) }
      usage = Usage.adding(usage, round.usage)
      do {
        record = try await recordRound(record, round, calls, results)
      } catch {
        let failure = Event.Failure(
          message: "could not record the tool results: \((error as? StoreError)?.description ?? "\(error)")",
          code: (error as? StoreError)?.kind ?? .internal, partial: true)
        return Self.end(with: failure, tag: tag, emit: emit)
      }
      request.messages.append(ToolExchange.assistant(content: round.content, calls: calls))
      request.messages.append(contentsOf: results.map(ToolExchange.tool))
      // Results can outgrow the window: say so, rather than let the provider refuse it.
      let needed = (request.system.map(TokenEstimator.messageTokens) ?? 0) + ToolExchange.tokens(request.messages)
      if needed > budget {
        let failure = Event.Failure(
          message:
            "the tool results no longer fit the context: about \(needed) tokens of \(budget); raise --context-tokens or make the tools say less",
          code: .contextOverflow, partial: true)
        await finish(record, Answer.Snapshot(), status: .error, error: failure.message)
        return Self.end(with: failure, tag: tag, emit: emit)
      }
    }
  }

  /// Records a round's answer, its calls and their results; the record of the answer's next
  /// part. Written even when the task was cancelled.
  private func recordRound(
    _ record: TurnRecord, _ round: Answer.Snapshot, _ calls: [JSON], _ results: [Event.ToolResult]
  ) async throws -> TurnRecord {
    let store = self.store
    return try await Task {
      try await store.recordToolRound(
        record, content: round.content, model: round.model, usage: round.usage, toolCalls: .array(calls),
        results: results, now: WallClock.milliseconds())
    }.value
  }

  /// Records how a round's answer ended; why it could not, if it could not. Written even when
  /// the task was cancelled: a new task does not inherit cancellation.
  @discardableResult
  private func finish(_ record: TurnRecord, _ round: Answer.Snapshot, status: MessageStatus, error: String? = nil)
    async -> StoreError?
  {
    let store = self.store
    return await Task {
      do {
        try await store.finishTurn(
          record, content: round.content, status: status, model: round.model, usage: round.usage,
          toolCalls: round.toolCallsJSON, error: error ?? round.error, now: WallClock.milliseconds())
        return nil
      } catch {
        // The answer went out; only its record failed, which stays `interrupted`.
        logger.error("could not record the answer in session \(record.sessionID): \(error)")
        return (error as? StoreError) ?? StoreError.database("\(error)")
      }
    }.value
  }

  /// Ends a turn whose answer came in full: its `complete` once the answer is stored, so a
  /// client that saw `complete` knows the session has it; when storing failed, an
  /// `unavailable` error that says the answer (already sent) was not stored.
  static func deliverComplete(
    _ shaping: RoundShaping, recordFailure: StoreError?, tag: (Event.Payload) -> Event,
    emit: @Sendable (Event) throws -> Void
  ) -> RunOutcome {
    guard let (event, complete) = shaping.releaseComplete() else {
      return end(
        with: Event.Failure(message: "the answer ended without a complete event", code: .internal), tag: tag,
        emit: emit)
    }
    guard let recordFailure else { return MessageLoop.write([event], .completed(complete), emit) }
    let failure = Event.Failure(
      message:
        "the answer was sent in full but not stored (\(recordFailure.description)); the session keeps at most the text of its last checkpoint, marked interrupted",
      code: .unavailable, partial: true)
    return end(with: failure, tag: tag, emit: emit)
  }

  /// Ends the turn with `failure`, the one terminal event.
  static func end(
    with failure: Event.Failure, tag: (Event.Payload) -> Event, emit: @Sendable (Event) throws -> Void
  ) -> RunOutcome {
    MessageLoop.write([tag(.error(failure))], .failed(failure), emit)
  }
}

/// How one round's events are changed so that the rounds read as one turn.
final class RoundShaping: Sendable {
  let first: Bool
  let context: ContextBuilder.Context
  let toolsUsed: [String]
  let earlierUsage: Usage?
  let started: ContinuousClock.Instant
  /// The round's `complete`, kept back until the turn is known to end here and is stored.
  private let heldComplete = Guarded<Event?>(nil)

  init(
    first: Bool, context: ContextBuilder.Context, toolsUsed: [String], earlierUsage: Usage?,
    started: ContinuousClock.Instant
  ) {
    self.first = first
    self.context = context
    self.toolsUsed = toolsUsed
    self.earlierUsage = earlierUsage
    self.started = started
  }

  /// The event as the client sees it, or nil when it is not sent now: a later round's
  /// `start`, and the `complete`, which is held.
  func shape(_ event: Event) -> Event? {
    var event = event
    switch event.payload {
    case .start(var start):
      guard first else { return nil }
      start.turnsSent = context.turnsSent
      start.turnsDropped = context.turnsDropped
      event.payload = .start(start)
    case .chunk(var chunk):
      chunk.toolsUsed = toolsUsed
      event.payload = .chunk(chunk)
    case .complete:
      // Kept back: the turn goes on when the round's calls run, and ends only once its
      // answer is stored (`releaseComplete`).
      heldComplete.withLock { [event] in $0 = event }
      return nil
    case .error(var failure) where !first:
      // Tool events and earlier text already went out.
      failure.partial = true
      event.payload = .error(failure)
    default:
      break
    }
    return event
  }

  /// The held `complete`, now covering the whole turn: its time until now and the usage of
  /// every round.
  func releaseComplete() -> (Event, Event.Complete)? {
    guard var event = heldComplete.withLock({ $0 }), case .complete(var complete) = event.payload else { return nil }
    complete.processingTimeMs = Int((ContinuousClock.now - started) / .milliseconds(1))
    complete.usage = Usage.adding(earlierUsage, complete.usage)
    event.payload = .complete(complete)
    return (event, complete)
  }
}

extension Usage {
  /// The usage of two requests together; nil when neither is known.
  static func adding(_ a: Usage?, _ b: Usage?) -> Usage? {
    guard let a else { return b }
    guard let b else { return a }
    func sum(_ x: Int?, _ y: Int?) -> Int? { x.map { $0 + (y ?? 0) } ?? y }
    var total = Usage(
      promptTokens: sum(a.promptTokens, b.promptTokens), completionTokens: sum(a.completionTokens, b.completionTokens),
      totalTokens: sum(a.totalTokens, b.totalTokens), reasoningTokens: sum(a.reasoningTokens, b.reasoningTokens),
      cachedTokens: sum(a.cachedTokens, b.cachedTokens), cacheWriteTokens: sum(a.cacheWriteTokens, b.cacheWriteTokens))
    if let x = a.cost?.doubleValue, let y = b.cost?.doubleValue {
      total.cost = JSONNumber(x + y)
    } else {
      total.cost = a.cost ?? b.cost
    }
    return total
  }
}

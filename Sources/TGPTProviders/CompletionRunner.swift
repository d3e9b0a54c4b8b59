import Logging
package import TGPTEvents

/// Time bounds of a run.
package struct RunLimits: Sendable {
  /// Seconds allowed to connect.
  package var connectTimeout: Double
  /// Seconds without any byte from the provider before giving up.
  package var idleTimeout: Double
  /// Seconds for the whole run, retries included; nil for no limit.
  package var totalTimeout: Double?

  package init(connectTimeout: Double = 10, idleTimeout: Double = 60, totalTimeout: Double? = nil) {
    self.connectTimeout = connectTimeout
    self.idleTimeout = idleTimeout
    self.totalTimeout = totalTimeout
  }
}

/// How a run ended.
package enum RunOutcome: Sendable {
  /// A `complete` event was written.
  case completed(Event.Complete)
  /// An `error` event was written.
  case failed(Event.Failure)
  /// The reader of our events went away (EPIPE, or found gone before a turn began); nothing
  /// more was written.
  case outputClosed
  /// Writing an event failed otherwise (a full disk, a closed descriptor).
  case outputFailed(String)

  /// How a run ends when writing one of its events threw `error`: `.outputClosed` when the
  /// reader went away (EPIPE), `.outputFailed` otherwise. The one place that decides it.
  package init(writeFailure error: any Error) {
    if let error = error as? ProtocolError, error.isOutputClosed {
      self = .outputClosed
    } else {
      self = .outputFailed("\(error)")
    }
  }
}

/// Runs one request against a provider and writes its events: `start`, then `chunk`,
/// `reasoning`, `tool_call` and `retry` events as they come, then exactly one `complete` or
/// `error` (SPEC §3 invariant 1), whatever happens — provider failure, timeout or cancellation.
///
/// Retries happen only before anything of the answer was written; afterwards a failure is an
/// `error` with `partial: true`.
package struct CompletionRunner: Sendable {
  package var provider: Provider
  package var retry: RetryPolicy
  package var limits: RunLimits

  package init(provider: Provider, retry: RetryPolicy = RetryPolicy(), limits: RunLimits = RunLimits()) {
    self.provider = provider
    self.retry = retry
    self.limits = limits
  }

  /// Runs `request`, tagging every event with `id` and `sessionID`.
  ///
  /// Cancelling the calling task aborts the transfer at once and writes an `error` with code
  /// `interrupted` whose message is `interruption()`. `emit` may throw; a `ProtocolError` with
  /// `isOutputClosed` ends the run quietly with `.outputClosed`.
  package func run(
    _ request: ChatRequest, id: String? = nil, sessionID: String? = nil,
    interruption: @Sendable () -> String = { "interrupted" },
    emit: (Event) throws -> Void
  ) async -> RunOutcome {
    let started = ContinuousClock.now
    let deadline = limits.totalTimeout.map { Deadline(seconds: $0, from: started) }
    var state = RunState(model: request.model)

    func send(_ payload: Event.Payload) throws(WriteFailure) {
      do { try emit(Event(payload, id: id, sessionID: sessionID)) } catch { throw WriteFailure(error) }
    }
    /// Writes the terminal event; the outcome is `outcome`, unless the write itself failed.
    func end(_ payload: Event.Payload, _ outcome: RunOutcome) -> RunOutcome {
      do throws(WriteFailure) {
        try send(payload)
        return outcome
      } catch {
        return error.outcome
      }
    }
    func fail(_ failure: Event.Failure) -> RunOutcome { end(.error(failure), .failed(failure)) }
    func fail(_ error: ProviderError) -> RunOutcome {
      fail(
        Event.Failure(
          message: error.description, details: error.details, code: error.kind, retryable: error.isRetryable,
          partial: state.emitted, status: error.status))
    }
    func interrupted() -> RunOutcome {
      fail(Event.Failure(message: interruption(), code: .interrupted, partial: state.emitted))
    }

    do throws(WriteFailure) {
      try send(.start(.init(model: request.model, provider: provider.kind.rawValue)))
    } catch {
      return error.outcome
    }

    var attempt = 1
    while true {
      if let deadline, deadline.remaining == 0 { return fail(.deadline(seconds: deadline.seconds)) }
      do {
        try await provider.upstream.attempt(request, limits: limits, deadline: deadline) { output in
          if let payload = state.absorb(output) { try send(payload) }
        }
        provider.logger.debug("answer complete after \(attempt) attempt(s)")
        let complete = Event.Complete(
          processingTimeMs: Int((ContinuousClock.now - started) / .milliseconds(1)), finishReason: state.finishReason,
          usage: state.usage, model: state.model)
        return end(.complete(complete), .completed(complete))
      } catch let error as WriteFailure {
        return error.outcome
      } catch  where Task.isCancelled {
        // The transfer's own error (the aborted connection) is a consequence, not the cause.
        return interrupted()
      } catch let error as ProviderError {
        guard !state.emitted, !error.isOwnTimeout, error.isRetryable, attempt <= retry.retries else {
          return fail(error)
        }
        let delay = retry.delay(beforeRetry: attempt, after: error)
        if let deadline, delay >= deadline.remaining {
          var failure = Event.Failure(
            message: ProviderError.deadline(seconds: deadline.seconds).description,
            details: "last error: \(error.description)",
            code: .timeout, partial: state.emitted, status: error.status)
          failure.retryable = true
          return fail(failure)
        }
        attempt += 1
        provider.logger.info("attempt \(attempt) in \(Int(delay * 1000)) ms after: \(error.description)")
        do throws(WriteFailure) {
          try send(
            .retry(.init(attempt: attempt, delayMs: Int(delay * 1000), reason: error.description, status: error.status))
          )
        } catch {
          return error.outcome
        }
        do {
          try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
        } catch {
          return interrupted()
        }
      } catch {
        return fail(Event.Failure(message: "\(error)", code: .internal, partial: state.emitted))
      }
    }
  }
}

/// An error from writing an event: the reader went away (EPIPE), or the write failed.
private struct WriteFailure: Error {
  let underlying: any Error
  init(_ underlying: any Error) { self.underlying = underlying }

  var outcome: RunOutcome { RunOutcome(writeFailure: underlying) }
}

/// What a run has seen so far.
private struct RunState {
  var model: String?
  var finishReason: String?
  var usage: Usage?
  /// Whether any part of the answer (text, reasoning or a tool call) was written.
  var emitted = false

  /// Takes in one provider output; returns the event to write for it, if any.
  mutating func absorb(_ output: ProviderOutput) -> Event.Payload? {
    switch output {
    case .model(let name):
      model = name
      return nil
    case .content(let text):
      emitted = true
      return .chunk(.init(content: text, model: model))
    case .reasoning(let text):
      emitted = true
      return .reasoning(.init(content: text))
    case .toolCall(let call):
      emitted = true
      return .toolCall(call)
    case .finish(let reason):
      finishReason = reason
      return nil
    case .usage(let value):
      usage = value
      return nil
    case .done:
      return nil
    }
  }
}

import TGPTEvents

/// Time bounds of a run.
public struct RunLimits: Sendable {
  /// Seconds allowed to connect.
  public var connectTimeout: Double
  /// Seconds without any byte from the provider before giving up.
  public var idleTimeout: Double
  /// Seconds for the whole run, retries included; nil for no limit.
  public var totalTimeout: Double?

  public init(connectTimeout: Double = 10, idleTimeout: Double = 60, totalTimeout: Double? = nil) {
    self.connectTimeout = connectTimeout
    self.idleTimeout = idleTimeout
    self.totalTimeout = totalTimeout
  }
}

/// How a run ended.
public enum RunOutcome: Sendable {
  /// A `complete` event was written.
  case completed(Event.Complete)
  /// An `error` event was written.
  case failed(Event.Failure)
  /// The reader of our events went away; nothing more was written.
  case outputClosed
}

/// Runs one request against a provider and writes its events: `start`, then `chunk`,
/// `reasoning`, `tool_call` and `retry` events as they come, then exactly one `complete` or
/// `error` (SPEC §3 invariant 1), whatever happens — provider failure, timeout or cancellation.
///
/// Retries happen only before anything of the answer was written; afterwards a failure is an
/// `error` with `partial: true`.
public struct CompletionRunner: Sendable {
  public var provider: Provider
  public var retry: RetryPolicy
  public var limits: RunLimits

  public init(provider: Provider, retry: RetryPolicy = RetryPolicy(), limits: RunLimits = RunLimits()) {
    self.provider = provider
    self.retry = retry
    self.limits = limits
  }

  /// Runs `request`, tagging every event with `id` and `sessionID`.
  ///
  /// Cancelling the calling task aborts the transfer at once and writes an `error` with code
  /// `interrupted` whose message is `interruption()`. `emit` may throw; a `ProtocolError` with
  /// `isOutputClosed` ends the run quietly with `.outputClosed`.
  public func run(
    _ request: ChatRequest, id: String? = nil, sessionID: String? = nil,
    interruption: @Sendable () -> String = { "interrupted" },
    emit: (Event) throws -> Void
  ) async -> RunOutcome {
    let started = Monotonic.now()
    let deadline = limits.totalTimeout.map { started + Monotonic.nanoseconds($0) }
    var state = RunState(model: request.model)
    let tag = { (payload: Event.Payload) in Event(payload, id: id, sessionID: sessionID) }

    func finish(_ failure: Event.Failure) -> RunOutcome {
      do {
        try emit(tag(.error(failure)))
        return .failed(failure)
      } catch {
        return .outputClosed
      }
    }
    func failure(_ error: ProviderError) -> Event.Failure {
      Event.Failure(
        message: error.description, details: error.details, code: error.kind, retryable: error.isRetryable,
        partial: state.emitted, status: error.status)
    }

    do {
      try emit(tag(.start(.init(model: request.model, provider: provider.kind.rawValue))))
    } catch {
      return .outputClosed
    }

    var attempt = 1
    while true {
      var bounds = AttemptBounds(connectTimeout: limits.connectTimeout, idleTimeout: limits.idleTimeout, remaining: nil)
      if let deadline, let total = limits.totalTimeout {
        let now = Monotonic.now()
        guard now < deadline else { return finish(failure(.deadline(seconds: total))) }
        bounds.remaining = Double(deadline - now) / 1e9
      }
      do {
        try await provider.upstream.attempt(request, bounds: bounds) { output in
          if let payload = state.absorb(output) { try emit(tag(payload)) }
        }
        log.debug("answer complete after \(attempt) attempt(s)")
        let complete = Event.Complete(
          processingTimeMs: Int((Monotonic.now() - started) / 1_000_000), finishReason: state.finishReason,
          usage: state.usage, model: state.model)
        do {
          try emit(tag(.complete(complete)))
          return .completed(complete)
        } catch {
          return .outputClosed
        }
      } catch  where Task.isCancelled {
        // The transfer's own error (the aborted connection) is a consequence, not the cause.
        return finish(Event.Failure(message: interruption(), code: .interrupted, partial: state.emitted))
      } catch let error as ProviderError {
        guard !state.emitted, !error.isOwnTimeout, error.isRetryable, attempt <= retry.retries else {
          return finish(failure(error))
        }
        let delay = retry.delay(beforeRetry: attempt, after: error)
        if let deadline, let total = limits.totalTimeout,
          Monotonic.now() + Monotonic.nanoseconds(delay) >= deadline
        {
          var timedOut = failure(.deadline(seconds: total))
          timedOut.details = "last error: \(error.description)"
          return finish(timedOut)
        }
        attempt += 1
        log.info("attempt \(attempt) in \(Int(delay * 1000)) ms after: \(error.description)")
        let notice = Event.Retry(
          attempt: attempt, delayMs: Int(delay * 1000), reason: error.description, status: error.status)
        do {
          try emit(tag(.retry(notice)))
        } catch {
          return .outputClosed
        }
        do {
          try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
        } catch {
          return finish(Event.Failure(message: interruption(), code: .interrupted, partial: state.emitted))
        }
      } catch let error as ProtocolError where error.isOutputClosed {
        return .outputClosed
      } catch {
        return finish(Event.Failure(message: "\(error)", code: .internal, partial: state.emitted))
      }
    }
  }
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

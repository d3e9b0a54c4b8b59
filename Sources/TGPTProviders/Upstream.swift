import TGPTEvents

/// When a run must be over: `RunLimits.totalTimeout` seconds after it started, on the
/// monotonic clock. Every attempt and every transfer of the run counts down to this one moment.
struct Deadline: Sendable {
  let at: ContinuousClock.Instant
  /// The seconds it was set from (what a timeout's message names).
  let seconds: Double

  init(seconds: Double, from start: ContinuousClock.Instant = .now) {
    self.at = start + .clampedSeconds(seconds)
    self.seconds = seconds
  }

  /// Seconds left (0 once it has passed).
  var remaining: Double { max(0, (at - .now).inSeconds) }
}

/// One way of getting an answer: a single attempt, no retries (the runner retries).
protocol Upstream: Sendable {
  /// Streams one answer into `emit`. Throws `ProviderError` for failures, `CancellationError`
  /// when the task was cancelled, and whatever `emit` throws.
  func attempt(
    _ request: ChatRequest, limits: RunLimits, deadline: Deadline?, emit: (ProviderOutput) throws -> Void
  ) async throws
  /// The provider's models, each an object with an `id` (see `Provider.models`).
  func models(limits: RunLimits, deadline: Deadline?) async throws -> [JSON]
}

import TGPTEvents

/// The bounds of one attempt.
struct AttemptBounds: Sendable {
  var connectTimeout: Double
  var idleTimeout: Double
  /// Seconds left before the overall deadline, if there is one.
  var remaining: Double?
  /// The overall deadline the user set (for messages), if any.
  var total: Double?
}

/// One way of getting an answer: a single attempt, no retries (the runner retries).
protocol Upstream: Sendable {
  /// Streams one answer into `emit`. Throws `ProviderError` for failures, `CancellationError`
  /// when the task was cancelled, and whatever `emit` throws.
  func attempt(_ request: ChatRequest, bounds: AttemptBounds, emit: (ProviderOutput) throws -> Void) async throws
  /// The provider's models, each an object with an `id` (see `Provider.models`).
  func models(bounds: AttemptBounds) async throws -> [JSON]
}

package import Logging
package import TGPTEvents
package import TGPTProviders
package import TGPTSession

/// How to reach the model for a turn, given the settings in force (flags over the session's
/// remembered ones); provided by the program, which knows the flags, environment and config.
package struct TurnSetup: Sendable {
  package var runner: CompletionRunner
  /// Model, system prompt, temperature, token limit and extra fields; messages are filled in.
  package var request: ChatRequest
  /// The provider's name, remembered with a new session.
  package var providerName: String
  /// The context window, when given (`--context-tokens`); else looked up by model.
  package var contextTokens: Int?
  /// The base URL named for this turn (a flag, a profile, `TGPT_BASE_URL`; not the config
  /// file's), remembered with a new session so later turns reach the same server.
  package var baseURL: String?
  /// The tools the model may call in this turn; nil for none (calls are then only reported).
  package var tools: TurnTools?
  /// The response cache (`--cache`); nil for none.
  package var cache: TurnCache?

  package init(
    runner: CompletionRunner, request: ChatRequest, providerName: String, contextTokens: Int? = nil,
    baseURL: String? = nil, tools: TurnTools? = nil, cache: TurnCache? = nil
  ) {
    self.runner = runner
    self.request = request
    self.providerName = providerName
    self.contextTokens = contextTokens
    self.baseURL = baseURL
    self.tools = tools
    self.cache = cache
  }
}

/// One message to answer in a session.
package struct TurnRequest: Sendable {
  package var sessionID: String
  package var requestID: String?
  package var message: String
  /// Settings given for this turn (flags, or a message's own `model`/`system`); they win
  /// over the session's remembered ones.
  package var settings: SessionSettings
  package var includeFailed: Bool
  /// The message is sent again: when the session's last turn asked it, that turn is replaced
  /// (left out of the context, its answer overwritten) rather than followed by a copy.
  package var retry: Bool
  /// Images and files sent with the message, stored with it.
  package var attachments: [Attachment]

  package init(
    sessionID: String, requestID: String? = nil, message: String, settings: SessionSettings = SessionSettings(),
    includeFailed: Bool = false, retry: Bool = false, attachments: [Attachment] = []
  ) {
    self.sessionID = sessionID
    self.requestID = requestID
    self.message = message
    self.settings = settings
    self.includeFailed = includeFailed
    self.retry = retry
    self.attachments = attachments
  }
}

/// Runs turns: the seed's ConversationOrchestrator. A turn takes the session's lock, builds
/// the context from its history, records the user message with an `interrupted` placeholder
/// answer, streams the answer (every event tagged with the session and request id), and
/// records how it ended — complete, partial, error or interrupted. A turn whose reader has
/// gone by the time it would be recorded is not begun.
package struct TurnRunner: Sendable {
  package let store: any SessionStore
  /// The provider and request for a turn's settings; may run a key command, so it is async.
  package let setup: @Sendable (SessionSettings) async throws -> TurnSetup
  /// Where the turns' diagnostics go (a store that failed, a turn waiting for another).
  package let logger: Logger
  /// Whether the reader of the events has gone; asked just before a turn is recorded.
  package let outputGone: @Sendable () -> Bool

  package init(
    store: any SessionStore, logger: Logger = Logger(label: "tgpt.session"),
    outputGone: @escaping @Sendable () -> Bool = { false },
    setup: @escaping @Sendable (SessionSettings) async throws -> TurnSetup
  ) {
    self.store = store
    self.logger = logger
    self.outputGone = outputGone
    self.setup = setup
  }

  /// The same runner for `principal`'s sessions.
  package func scoped(to principal: String) -> TurnRunner {
    TurnRunner(store: store.scoped(to: principal), logger: logger, outputGone: outputGone, setup: setup)
  }

  /// Runs one turn, writing its events through `emit`. The outcome tells how it ended.
  package func run(
    _ turn: TurnRequest, interruption: @escaping @Sendable () -> String = { "interrupted" },
    emit: @escaping @Sendable (Event) throws -> Void
  ) async -> RunOutcome {
    let tag = { (payload: Event.Payload) in Event(payload, id: turn.requestID, sessionID: turn.sessionID) }
    func fail(_ message: String, _ kind: ErrorKind) -> RunOutcome {
      Self.end(with: Event.Failure(message: message, code: kind), tag: tag, emit: emit)
    }
    guard SessionID.isValid(turn.sessionID) else {
      return fail(StoreError.invalidID(turn.sessionID).description, .badInput)
    }
    // A turn that was cancelled before it began (a signal while it waited its turn) ends
    // with its one terminal event and leaves no record.
    if Task.isCancelled { return fail(interruption(), .interrupted) }
    let lock: any TurnLease
    var history: [StoredMessage]
    let remembered: SessionSettings
    do {
      lock = try await store.lockTurns(of: turn.sessionID) {
        logger.debug("waiting for the turn in progress in session \(turn.sessionID)")
      }
      (remembered, history) = try await store.history(of: turn.sessionID)
    } catch is CancellationError {
      return fail(interruption(), .interrupted)
    } catch let error as StoreError {
      return fail(error.description, error.kind)
    } catch {
      return fail("\(error)", .internal)
    }
    defer { withExtendedLifetime(lock) {} }
    let replacing = turn.retry && Self.lastTurnAsked(turn.message, in: history)
    if replacing, let last = history.last?.turn { history.removeAll { $0.turn == last } }

    let settings = Self.inForce(turn.settings, over: remembered)
    let prepared: TurnSetup
    do {
      prepared = try await setup(settings)
    } catch let error as ProviderError {
      return fail(error.description, error.kind)
    } catch {
      return fail("\(error)", .internal)
    }

    var request = prepared.request
    let window = prepared.contextTokens ?? ModelContext.tokens(for: request.model)
    let budget = ContextBuilder.budget(window: window, maxTokens: request.maxTokens)
    if budget <= 0 {
      return fail(
        "--max-tokens \(request.maxTokens ?? 0) leaves no room for the conversation in a \(window)-token context; lower it or raise --context-tokens; nothing was recorded",
        .contextOverflow)
    }
    let builder = ContextBuilder(
      budget: budget, includeFailed: turn.includeFailed, replaysTools: !(prepared.tools?.executor.specs.isEmpty ?? true)
    )
    let context: ContextBuilder.Context
    do {
      context = try builder.build(
        history: history, system: request.system, message: turn.message, attachments: turn.attachments)
    } catch {
      guard case .overflow(let needed, let budget) = error else { return fail("\(error)", .internal) }
      return fail(
        "the message needs about \(needed) tokens but the context allows \(budget) (--context-tokens \(window)); nothing was recorded",
        .contextOverflow)
    }
    request.messages = context.messages

    // Whoever asked is gone (a server killed while this turn waited for the session, a
    // reader that closed): recording the question now would put a turn nobody saw into the
    // history, after turns its asker went on to send elsewhere.
    if outputGone() {
      logger.debug("the reader of the events has gone; turn in session \(turn.sessionID) not begun")
      return .outputClosed
    }
    let record: TurnRecord
    do {
      // A new session remembers what its first turn used, so later turns keep the same model
      // even when the defaults change.
      let used = SessionSettings(
        model: request.model, provider: prepared.providerName, system: request.system, baseURL: prepared.baseURL)
      record = try await store.beginTurn(
        session: turn.sessionID, settings: used, message: turn.message, attachments: turn.attachments,
        replacingLastTurn: replacing, now: WallClock.milliseconds())
    } catch let error as StoreError {
      return fail(error.description + "; nothing of this turn was stored", error.kind)
    } catch {
      return fail("\(error)", .internal)
    }

    return await answer(
      request, turn: turn, setup: prepared, context: context, budget: budget, record: record,
      interruption: interruption, emit: emit)
  }

  /// The settings a turn uses: those given for it over the session's remembered ones. The
  /// remembered model and base URL belong to the remembered provider: a turn sent elsewhere
  /// uses that provider's defaults unless it names them.
  static func inForce(_ given: SessionSettings, over remembered: SessionSettings) -> SessionSettings {
    let sameProvider = given.provider == nil || given.provider == remembered.provider
    return SessionSettings(
      model: given.model ?? (sameProvider ? remembered.model : nil),
      provider: given.provider ?? remembered.provider, system: given.system ?? remembered.system,
      baseURL: given.baseURL ?? (sameProvider ? remembered.baseURL : nil))
  }

  /// The settings a turn of `session` with `given` settings starts from: those given over
  /// the session's remembered ones (nil where neither says; the defaults fill those in).
  package func settings(of session: String, given: SessionSettings) async -> SessionSettings {
    let remembered = (try? await store.history(of: session).settings) ?? SessionSettings()
    return Self.inForce(given, over: remembered)
  }

  /// Whether the last turn of `history` began with the user message `message`.
  static func lastTurnAsked(_ message: String, in history: [StoredMessage]) -> Bool {
    guard let last = history.last?.turn else { return false }
    return history.first { $0.turn == last && $0.role == "user" }?.content == message
  }

  static func status(of outcome: RunOutcome, partial: Bool) -> MessageStatus {
    switch outcome {
    case .completed: .complete
    case .failed(let failure) where failure.code == .interrupted: .interrupted
    case .failed: partial ? .partial : .error
    case .outputClosed, .outputFailed: .interrupted
    }
  }
}

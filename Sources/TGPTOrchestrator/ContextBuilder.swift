package import TGPTEvents
import TGPTProviders
package import TGPTSession

/// Chooses what history goes with a new message: whole turns, newest first, while they fit
/// the budget; the system prompt and the new message always go. A turn whose answer failed
/// or was interrupted is left out (unless asked to include it), since the model never saw it
/// complete and would be confused by half an exchange.
package struct ContextBuilder: Sendable {
  /// Tokens available for the request (the model's window minus room for the answer).
  package var budget: Int
  package var includeFailed: Bool
  /// Whether earlier tool exchanges go as tool calls and results (when the request offers
  /// tools) or as text in the answers (when it offers none: providers refuse tool blocks
  /// without tool definitions).
  package var replaysTools: Bool

  package init(budget: Int, includeFailed: Bool = false, replaysTools: Bool = true) {
    self.budget = budget
    self.includeFailed = includeFailed
    self.replaysTools = replaysTools
  }

  /// The window minus room for the answer: `maxTokens`, or a quarter of the window up to 4096.
  package static func budget(window: Int, maxTokens: Int?) -> Int {
    window - (maxTokens ?? min(4096, window / 4))
  }

  /// What was chosen.
  package struct Context: Sendable, Hashable {
    /// The messages to send, oldest first, ending with the new one.
    package var messages: [JSON]
    package var turnsSent: Int
    package var turnsDropped: Int
  }

  package enum Failure: Error, Sendable, Hashable {
    /// The system prompt and the new message alone exceed the budget.
    case overflow(needed: Int, budget: Int)
  }

  /// Builds the context for `message` (with its attachments) after `history`.
  package func build(history: [StoredMessage], system: String?, message: String, attachments: [Attachment] = [])
    throws(Failure) -> Context
  {
    let new = ChatRequest.userMessage(message, attachments: attachments)
    let fixed = (system.map(TokenEstimator.messageTokens) ?? 0) + ToolExchange.tokens([new])
    guard fixed <= budget else { throw .overflow(needed: fixed, budget: budget) }
    let turns = Self.turns(history, includeFailed: includeFailed)
    var remaining = budget - fixed
    var chosen: [[JSON]] = []
    for turn in turns.reversed() {
      let messages = replaysTools ? ToolExchange.messages(of: turn) : ToolExchange.flattened(turn)
      let cost = ToolExchange.tokens(messages)
      if cost > remaining { break }
      remaining -= cost
      chosen.append(messages)
    }
    var messages: [JSON] = chosen.reversed().flatMap { $0 }
    messages.append(new)
    return Context(messages: messages, turnsSent: chosen.count, turnsDropped: turns.count - chosen.count)
  }

  /// History grouped by turn; turns without a usable answer are left out. A turn is usable
  /// when its last answer is complete (a turn cut short during a tool round is not), or, with
  /// `includeFailed`, when any answer has text.
  static func turns(_ history: [StoredMessage], includeFailed: Bool) -> [[StoredMessage]] {
    var result: [[StoredMessage]] = []
    var current: [StoredMessage] = []
    var currentTurn: Int?
    func close() {
      let answers = current.filter { $0.role == "assistant" }
      let usable =
        includeFailed ? answers.contains { !$0.content.isEmpty } : answers.last?.status == .complete
      if usable { result.append(current) }
      current = []
    }
    for message in history {
      if message.turn != currentTurn, currentTurn != nil { close() }
      currentTurn = message.turn
      current.append(message)
    }
    if currentTurn != nil { close() }
    return result
  }
}

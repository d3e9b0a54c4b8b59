package import Logging
import TGPTEvents

/// The seed's `test_streaming.py`, for any server that speaks the protocol: connection, a
/// streamed answer, several sessions at once, and error scenarios.
package struct ServerCheck: Sendable {
  /// One test's verdict.
  package struct Result: Sendable {
    package var name: String
    package var passed: Bool
    package var detail: String
    package var figures: [(String, Double)] = []
    /// Whether the server refused the token; the tests after this one are not run.
    package var authRefused = false
  }

  /// The tests, by the names of the seed's `--test` option.
  package static let names = ["connection", "streaming_response", "multiple_sessions", "error_handling"]

  /// Where the sessions are made.
  package let target: SessionsTarget
  /// What the names of the sessions this check makes start with: `check-` and eight hex
  /// digits of this run (`tgpt-session rm --prefix` removes any left over).
  package let sessionPrefix = "check-\(SessionIDRule.randomTag())-"
  /// The sessions made, and those the server did not acknowledge deleting.
  package let madeSessions = SessionNames()
  let token: String?
  let timeout: Duration
  let logger: Logger

  package init(target: SessionsTarget, token: String?, timeout: Duration, logger: Logger) {
    self.target = target
    self.token = token
    self.timeout = timeout
    self.logger = logger
  }

  func url(_ session: String) -> String { target.url(session: session) }

  /// A new session's name, for one conversation.
  func session(_ name: String) -> String { sessionPrefix + name }

  /// One conversation on a session of its own, which is deleted when it is over.
  func talk(_ name: String, _ messages: [String]) async -> ChatProbe.Outcome {
    let outcome = await ChatProbe.run(
      url: url(session(name)), token: token, messages: messages, timeout: timeout, deleteSession: true, logger: logger)
    madeSessions.note(session(name), made: outcome.madeSession, deleted: outcome.deleted == true)
    return outcome
  }

  static func message(_ text: String) -> String {
    var writer = JSONWriter()
    writer.value(["message": .string(text)])
    return String(decoding: writer.bytes, as: UTF8.self)
  }

  /// Runs the named tests (`all` for every one), in order; a cancel stops after the test
  /// under way (whose sessions are still deleted), and so does a refused token.
  package func run(_ which: String) async -> [Result] {
    var results: [Result] = []
    for name in Self.names where which == "all" || which == name {
      if Task.isCancelled || results.contains(where: \.authRefused) { break }
      switch name {
      case "connection": results.append(await connection())
      case "streaming_response": results.append(await streaming())
      case "multiple_sessions": results.append(await multipleSessions())
      default: results += await errorHandling()
      }
    }
    return results
  }

  func connection() async -> Result {
    let outcome = await talk("connection", [])
    guard outcome.upgraded else {
      return Result(
        name: "connection", passed: false, detail: outcome.failure ?? "no upgrade", authRefused: outcome.authRefused)
    }
    return Result(
      name: "connection", passed: true,
      detail: "upgraded and closed (\(outcome.closeCode.map(String.init) ?? "no close frame"))")
  }

  func streaming() async -> Result {
    let prompt = "Tell me a short story about a robot learning to paint."
    let outcome = await talk("stream", [Self.message(prompt)])
    guard let turn = outcome.turns.first, turn.terminalType == "complete" else {
      return Result(
        name: "streaming_response", passed: false, detail: describe(outcome), authRefused: outcome.authRefused)
    }
    guard turn.chunks > 0, !turn.content.isEmpty else {
      return Result(name: "streaming_response", passed: false, detail: "complete without any chunk content")
    }
    let first = turn.firstChunk.map(\.inMilliseconds) ?? 0
    let total = turn.total.map(\.inMilliseconds) ?? 0
    return Result(
      name: "streaming_response", passed: true,
      detail:
        "\(turn.chunks) chunks, \(turn.content.count) characters, first chunk \(format(first)) ms, total \(format(total)) ms",
      figures: [
        ("chunks", Double(turn.chunks)), ("time_to_first_chunk_ms", first), ("total_ms", total),
        ("events_per_second", total > 0 ? Double(turn.eventCount) / (total / 1000) : 0),
      ])
  }

  func multipleSessions() async -> Result {
    let count = 3
    let outcomes = await withTaskGroup(of: ChatProbe.Outcome.self) { group in
      for index in 0..<count {
        group.addTask {
          await talk("multi\(index)", [Self.message("Session \(index): say hello.")])
        }
      }
      return await group.reduce(into: []) { $0.append($1) }
    }
    let good = outcomes.filter {
      $0.turns.first?.terminalType == "complete" && !($0.turns.first?.content.isEmpty ?? true)
    }
    let detail = "\(good.count) of \(count) sessions answered at once"
    return Result(
      name: "multiple_sessions", passed: good.count == count,
      detail: good.count == count
        ? detail : detail + "; " + (outcomes.first { $0.turns.first?.terminalType != "complete" }.map(describe) ?? ""),
      authRefused: outcomes.contains(where: \.authRefused))
  }

  func describe(_ outcome: ChatProbe.Outcome) -> String {
    if let failure = outcome.failure { return failure }
    if let turn = outcome.turns.last, turn.terminalType == "error" { return "error event: \(turn.events.last ?? "")" }
    return "no terminal event (close \(outcome.closeCode.map(String.init) ?? "none"))"
  }
}

func format(_ value: Double) -> String {
  let rounded = (value * 10).rounded() / 10
  return String(rounded)
}

import TGPTEvents

/// What the fake answers in a tool-calling scenario (`call=`): the scenario's calls, until the
/// request holds `rounds` rounds of tool results after its last user message, then a report of
/// the last round's results, so a test can see that they went back.
///
/// The report is one line per result, in the order they were sent:
/// `NAME(CALL_ID) -> CONTENT`, plus ` [error]` when the result is marked `is_error` (in the
/// Anthropic shape; tgpt drops the mark for OpenAI, where the error is in the content). NAME
/// is found among the calls of the assistant message before the results (`?` if it is not).
/// Lines are joined with "\n".
enum ToolPlay: Equatable {
  /// Make the scenario's calls, numbered from `firstNumber` (`call_N`, `toolu_N`), so ids stay
  /// unique across the rounds of a turn.
  case calls(firstNumber: Int)
  /// Answer with this text.
  case report(String)

  struct Result: Equatable {
    var callID: String
    var content: String
    var isError: Bool
  }

  /// The steps of a conversation that matter here.
  enum Step: Equatable {
    case user
    /// An assistant message and its calls' names by id.
    case assistant([String: String])
    case results([Result])
  }

  init(scenario: Scenario, messages: [JSON]) {
    let steps = Self.steps(messages)
    let turnStart = steps.lastIndex(of: .user).map { $0 + 1 } ?? 0
    let turn = steps[turnStart...]
    let rounds = turn.filter { if case .results = $0 { true } else { false } }.count
    guard case .results(let results)? = steps.last, rounds >= scenario.rounds else {
      self = .calls(firstNumber: rounds * scenario.calls.count + 1)
      return
    }
    var names: [String: String] = [:]
    if case .assistant(let calls)? = steps.dropLast().last { names = calls }
    self = .report(
      results.map { "\(names[$0.callID] ?? "?")(\($0.callID)) -> \($0.content)" + ($0.isError ? " [error]" : "") }
        .joined(separator: "\n"))
  }

  /// The messages as steps, in either provider's shape; consecutive results make one step.
  static func steps(_ messages: [JSON]) -> [Step] {
    var steps: [Step] = []
    func addResults(_ results: [Result]) {
      if case .results(let earlier)? = steps.last {
        steps[steps.count - 1] = .results(earlier + results)
      } else {
        steps.append(.results(results))
      }
    }
    for message in messages {
      switch message["role"]?.stringValue {
      case "tool":
        addResults([
          Result(
            callID: message["tool_call_id"]?.stringValue ?? "", content: text(message["content"]),
            isError: message["is_error"]?.boolValue == true)
        ])
      case "assistant":
        var names: [String: String] = [:]
        for call in message["tool_calls"]?.arrayValue ?? [] {
          names[call["id"]?.stringValue ?? ""] = call["function"]?["name"]?.stringValue ?? ""
        }
        for block in message["content"]?.arrayValue ?? [] where block["type"]?.stringValue == "tool_use" {
          names[block["id"]?.stringValue ?? ""] = block["name"]?.stringValue ?? ""
        }
        steps.append(.assistant(names))
      case "user":
        let blocks = message["content"]?.arrayValue ?? []
        let results = blocks.filter { $0["type"]?.stringValue == "tool_result" }.map {
          Result(
            callID: $0["tool_use_id"]?.stringValue ?? "", content: text($0["content"]),
            isError: $0["is_error"]?.boolValue == true)
        }
        if !results.isEmpty { addResults(results) }
        // Text after the results (Anthropic's merged message) is the user speaking again.
        let spoke = blocks.contains { $0["type"]?.stringValue != "tool_result" && $0["text"]?.stringValue != "" }
        if results.isEmpty || spoke { steps.append(.user) }
      default:
        break
      }
    }
    return steps
  }

  /// A content's text: a string, or the joined text of content blocks.
  static func text(_ content: JSON?) -> String {
    switch content {
    case .string(let text)?: text
    case .array(let blocks)?: blocks.compactMap { $0["text"]?.stringValue }.joined()
    default: ""
    }
  }
}

/// A call the fake makes: its id, the tool's name and the arguments text.
struct OutgoingCall {
  let id: String
  let name: String
  let arguments: String

  /// The scenario's calls with ids `PREFIX_N`, N counting from `firstNumber`.
  static func numbered(_ calls: [Scenario.Call], prefix: String, from firstNumber: Int) -> [OutgoingCall] {
    calls.enumerated().map { offset, call in
      OutgoingCall(id: "\(prefix)_\(firstNumber + offset)", name: call.name, arguments: call.arguments)
    }
  }
}

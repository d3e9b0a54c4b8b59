/// How the fake provider should behave for one request, read from the first path segment:
/// `/<option>;<option>=<value>;…/v1/chat/completions`. Unknown options are errors (400), so a
/// typo in a test fails loudly instead of testing the wrong thing.
struct Scenario {
  /// Groups requests for `times` counting and for `/_requests?key=`.
  var key = ""
  /// Reply with `tokens` generated words instead of echoing the last user message.
  var tokens: Int?
  /// Reply with this text (percent-decoded) instead of echoing.
  var text: String?
  /// Milliseconds between content events.
  var delayMs = 0
  /// Milliseconds before anything is sent (slow first byte).
  var firstMs = 0
  /// Send a keep-alive comment before every content event.
  var keepalive = false
  var crlf = false
  /// No end marker (`[DONE]`, `message_stop`).
  var noDone = false
  /// No finish reason (`finish_reason`, `stop_reason`): a cut-short answer.
  var noFinish = false
  /// Write the body one byte at a time, pausing between writes, so multi-byte characters and
  /// line breaks are split across reads.
  var split = false
  var status: Int?
  /// Apply `status` only to the first N requests with this key; later ones succeed.
  var times: Int?
  var retryAfter: String?
  var retryAfterMs: String?
  var shouldRetry: String?
  var errorAfter: Int?
  var dropAfter: Int?
  var stallAfter: Int?
  /// One extra content event of this many bytes.
  var big: Int?
  var reasoning = false
  var llamaError = false
  var empty = false
  var json = false
  /// The old fixed answer: one `get_weather` call after the echoed text, on every request.
  var tools = false
  /// `call=NAME:ARGS` (repeatable): answer like a model that uses tools, with these calls in
  /// parallel (see `ToolPlay`). ARGS is percent-decoded like `text`, and sent as it is, so
  /// invalid JSON can be tested too.
  var calls: [Call] = []
  /// With `calls`: how many rounds of tool results the request must hold before the fake
  /// stops calling and reports them (`rounds=N`, default 1).
  var rounds = 1
  /// `call-offered`: when the request offers tools and no `call=` is given, call each offered
  /// tool once, with arguments made from its schema (see `OfferedCalls`).
  var callOffered = false
  var model = "fake/model-1"
  /// After the finish chunk, send an error object (and no `[DONE]`).
  var lateError = false
  /// After the body, keep the connection open (no final chunk) until the client leaves.
  var hold = false
  /// A `Location` header (for redirects with `status=301`).
  var location: String?
  /// Send nothing until `GET /_release?gate=NAME` (see `Gates`).
  var gate: String?
  /// Send all but the last content event, then hold it until `GET /_release?gate=NAME`: the
  /// answer is provably still streaming while a test looks at what came through so far.
  var holdLast: String?
  /// Prompt tokens reported as read from the provider's prompt cache (OpenAI
  /// `prompt_tokens_details.cached_tokens`, Anthropic `cache_read_input_tokens`), and as
  /// written to it (Anthropic `cache_creation_input_tokens`).
  var cachedTokens: Int?
  var cacheWriteTokens: Int?

  /// A tool call the fake makes: the tool's name and the arguments text.
  struct Call {
    var name: String
    var arguments: String
  }

  /// A well-behaved scenario.
  init() {}

  init(segment: String) throws(FakeError) {
    for option in segment.split(separator: ";") where !option.isEmpty {
      let parts = option.split(separator: "=", maxSplits: 1)
      let name = String(parts[0])
      let value = parts.count > 1 ? String(parts[1]) : ""
      func int() throws(FakeError) -> Int {
        guard let n = Int(value) else { throw FakeError("option \(name) needs a number") }
        return n
      }
      switch name {
      case "ok": break
      case "key": key = value
      case "tokens": tokens = try int()
      case "text": text = Self.percentDecode(value)
      case "delay": delayMs = try int()
      case "first": firstMs = try int()
      case "keepalive": keepalive = true
      case "crlf": crlf = true
      case "nodone": noDone = true
      case "nofinish": noFinish = true
      case "split": split = true
      case "status": status = try int()
      case "times": times = try int()
      case "retry-after": retryAfter = Self.percentDecode(value)
      case "retry-after-ms": retryAfterMs = value
      case "should-retry": shouldRetry = value
      case "error-after": errorAfter = try int()
      case "drop-after": dropAfter = try int()
      case "stall-after": stallAfter = try int()
      case "big": big = try int()
      case "reasoning": reasoning = true
      case "llama-error": llamaError = true
      case "empty": empty = true
      case "json": json = true
      case "tools": tools = true
      case "call":
        guard let colon = value.firstIndex(of: ":"), colon != value.startIndex else {
          throw FakeError("option call needs NAME:ARGS")
        }
        calls.append(
          Call(
            name: Self.percentDecode(String(value[..<colon])),
            arguments: Self.percentDecode(String(value[value.index(after: colon)...]))))
      case "call-offered": callOffered = true
      case "rounds":
        rounds = try int()
        guard rounds >= 1 else { throw FakeError("option rounds needs a number of 1 or more") }
      case "model": model = value
      case "hold": hold = true
      case "late-error": lateError = true
      case "location": location = Self.percentDecode(value)
      case "gate": gate = value
      case "hold-last": holdLast = value
      case "cached": cachedTokens = try int()
      case "cache-write": cacheWriteTokens = try int()
      default: throw FakeError("unknown scenario option '\(name)'")
      }
    }
  }

  static func percentDecode(_ text: String) -> String {
    var bytes: [UInt8] = []
    var iterator = Array(text.utf8).makeIterator()
    while let byte = iterator.next() {
      if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
        let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
      {
        bytes.append(value)
      } else {
        bytes.append(byte == UInt8(ascii: "+") ? 0x20 : byte)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

struct FakeError: Error {
  let message: String
  init(_ message: String) { self.message = message }
}

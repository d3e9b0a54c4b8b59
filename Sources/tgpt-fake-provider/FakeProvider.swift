import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// A local stand-in for OpenRouter/OpenAI/Anthropic that misbehaves on request, for tests and
/// benchmarks. It never touches the network beyond 127.0.0.1.
///
/// Usage: `tgpt-fake-provider [--port N]`. It prints its base URL (`http://127.0.0.1:PORT`) on
/// the first line of stdout, serves until killed, and exits when its stdin (if a pipe) closes,
/// so a test that dies takes it down too. See `Scenario` for the fault modes.
@main
enum FakeProvider {
  static let log = RequestLog()
  static let gates = Gates()

  static let usage = """
    usage: tgpt-fake-provider [--port N]

    A local stand-in for OpenRouter, OpenAI and Anthropic, for tests and benchmarks. It listens
    on 127.0.0.1 (port N, or a free one), prints its base URL on the first line of stdout, and
    serves until killed or until its stdin, when a pipe, is closed.

    Routes:
      POST /[SCENARIO/]v1/chat/completions   an OpenAI-style stream
      POST /[SCENARIO/]v1/messages           an Anthropic-style stream
      GET  /[SCENARIO/]v1/models, /models    a model list
      GET  /_requests?key=K                  the requests received with key=K, as NDJSON
      GET  /_release?gate=G                  lets the answers waiting on gate=G go on
      GET  /healthz
    Any other path is 404 {"detail":"Not Found"}, as an OpenAI-compatible server answers a base
    URL without /v1.

    SCENARIO is options separated by ';', e.g. status=429;times=1;retry-after=2 or
    tokens=100;delay=20 (see Sources/tgpt-fake-provider/Scenario.swift for all of them).

    Tool calls, as a model that uses tools:
      call=NAME:ARGS  call tool NAME with ARGS (percent-encoded like text=, '+' is a space;
                      sent as it is, valid JSON or not); repeat for parallel calls. When the
                      messages end with a user message, the answer is text= (if given), then
                      the calls with their arguments in 3-byte pieces, cut even inside a
                      character: OpenAI ids call_N, the calls' pieces taking turns by index,
                      finish_reason tool_calls; Anthropic one tool_use block per call, ids
                      toolu_N, stop_reason tool_use. N counts on across rounds.
      call-offered    with no call=: call each tool the request offers, once, with an
                      argument per required property (the first of its examples, else its
                      default, else a value of its type).
      rounds=N        call again until the request holds N rounds of tool results after its
                      last user message (default 1), then answer, streamed word by word, one
                      line per result of the last round:
                        NAME(CALL_ID) -> CONTENT
                      with " [error]" after it when the result has "is_error":true.

    Example:
      tgpt-stream --provider openrouter --base-url "$(head -1 url.txt)/split/v1" "a b c"

    """

  static func main() {
    signal(SIGPIPE, SIG_IGN)
    var port: UInt16 = 0
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
      switch argument {
      case "--help", "-h":
        try? FileIO.writeAll(1, usage)
        exit(0)
      case "--port":
        guard let value = arguments.next(), let number = UInt16(value) else {
          Diagnostics.usage("--port needs a number from 0 to 65535")
        }
        port = number
      default:
        Diagnostics.usage("unknown argument '\(argument)'")
      }
    }
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var one: Int32 = 1
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(listener, 1024) == 0 else {
      Diagnostics.fail("cannot listen on 127.0.0.1:\(port)")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
    }
    try? FileIO.writeAll(1, "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))\n")

    if FileIO.isPipe(0) {
      DedicatedThread.start {
        _ = try? FileIO.readAll(0)
        exit(0)
      }
    }
    while true {
      let fd = accept(listener, nil, nil)
      if fd < 0 { continue }
      let connection = Socket(fd: fd)
      DedicatedThread.start { Handler(socket: connection, log: log, gates: gates).serve() }
    }
  }
}

enum Diagnostics {
  static func fail(_ message: String) -> Never {
    try? FileIO.writeAll(2, "tgpt-fake-provider: error: \(message)\n")
    exit(1)
  }

  /// A wrong command line: the reason and where to read more, exit 64.
  static func usage(_ message: String) -> Never {
    try? FileIO.writeAll(2, "tgpt-fake-provider: error: \(message) (see tgpt-fake-provider --help)\n")
    exit(ErrorKind.usage.exitCode)
  }
}

/// Every request received, for tests to check what was sent.
final class RequestLog: Sendable {
  private let entries = Guarded<[(key: String, line: String)]>([])
  private let counts = Guarded<[String: Int]>([:])

  func record(key: String, line: String) { entries.withLock { $0.append((key, line)) } }

  func lines(key: String?) -> [String] {
    entries.withLock { all in all.filter { key == nil || $0.key == key }.map(\.line) }
  }

  /// How many requests with this key came before this one.
  func next(key: String) -> Int {
    counts.withLock { counts in
      defer { counts[key, default: 0] += 1 }
      return counts[key, default: 0]
    }
  }
}

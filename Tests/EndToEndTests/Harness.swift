import Foundation
import Synchronization
import TGPTEvents
import Testing

/// Runs the built programs as a user would: real processes, real pipes, an explicit environment.
enum Harness {
  /// The directory holding the built products (the test runner sits beside them).
  static let binDirectory: URL = {
    if let explicit = ProcessInfo.processInfo.environment["TGPT_BIN_DIR"] { return URL(fileURLWithPath: explicit) }
    let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    return runner.deletingLastPathComponent()
  }()

  static func binary(_ name: String) -> URL { binDirectory.appendingPathComponent(name) }

  /// A fresh, empty directory used as HOME, TGPT_HOME and XDG dirs, so nothing of the user's
  /// machine leaks into a test.
  static func scratchDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-e2e-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// The environment every program runs with (SPEC conventions: TERM=dumb, COLUMNS=80).
  static func environment(_ extra: [String: String] = [:], home: URL = scratchDirectory()) -> [String: String] {
    var env: [String: String] = [
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
      "HOME": home.path, "TGPT_HOME": home.appendingPathComponent("data").path,
      "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
      "XDG_DATA_HOME": home.appendingPathComponent("share").path,
      "TERM": "dumb", "COLUMNS": "80", "LANG": "C.UTF-8",
    ]
    // Under `make test-sanitizers` the programs write their reports, crashes included, where the
    // tests' go (and look for leaks, which the test process does not: see
    // Scripts/test-sanitizers.sh).
    let outer = ProcessInfo.processInfo.environment
    for name in ["LSAN_OPTIONS", "TSAN_OPTIONS", "SWIFT_BACKTRACE"] { env[name] = outer[name] }
    env["ASAN_OPTIONS"] = outer["TGPT_PROGRAMS_ASAN_OPTIONS"] ?? outer["ASAN_OPTIONS"]
    env.merge(extra) { $1 }
    return env
  }

  struct Result {
    var stdout: Data
    var stderr: String
    var status: Int32
    var elapsed: Double
    var text: String { String(decoding: stdout, as: UTF8.self) }

    init(_ ended: Spawn.Ended) {
      stdout = ended.stdout
      stderr = String(decoding: ended.stderr, as: UTF8.self)
      status = ended.status
      elapsed = ended.elapsed
    }

    /// stdout parsed as events, one per line (a line that is not an event fails the test).
    var events: [Event] {
      text.split(separator: "\n").compactMap { line in
        do { return try Event.decode(String(line)) } catch {
          Issue.record("not an event: \(line) (\(error))")
          return nil
        }
      }
    }

    /// The concatenated chunk content.
    var answer: String {
      events.map { if case .chunk(let c) = $0.payload { c.content } else { "" } }.joined()
    }

    var failure: Event.Failure? {
      for event in events { if case .error(let f) = event.payload { return f } }
      return nil
    }
  }

  /// Runs `program` with `arguments`, feeding `stdin` (nil: /dev/null), and waits for it
  /// without holding a thread of the concurrency pool. `signal` is sent once stdout contains
  /// `signalAfter` lines. A run that hangs is killed after `hangGuard` seconds (a deadline for
  /// a hang, minutes away from any honest run) and fails the test.
  static func run(
    _ program: String, _ arguments: [String], stdin: String? = nil, env: [String: String] = environment(),
    signal: Int32? = nil, signalAfter: Int = 0, keepStdinOpen: Bool = false, hangGuard: Double = 300,
    sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> Result {
    let feed = Spawn.Feed(
      stdin: stdin.map { Array($0.utf8) }, keepStdinOpen: keepStdinOpen, signal: signal, signalAfter: signalAfter,
      hangGuard: hangGuard)
    let path = binary(program).path
    let ended = try await DedicatedThread.run { () throws(Spawn.Failure) -> Spawn.Ended in
      try Spawn.runToEnd(path, arguments, env: env, feed: feed)
    }
    #expect(!ended.hung, "\(program) hung and was killed after \(Int(hangGuard)) s", sourceLocation: sourceLocation)
    return Result(ended)
  }

  /// Runs `command` (a shell command line reading NDJSON on stdin), writes `first` to it,
  /// waits for its first `chunk` on stdout, then writes `then` and ends its stdin: a way to
  /// send lines while an answer is streaming. The result is the command's status and stdout.
  static func midAnswer(
    _ command: String, first: String, then: [String], env: [String: String] = environment()
  ) async throws -> Result {
    let quoted = { (line: String) in "'" + line.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
    return try await shell(
      """
      dir=$(mktemp -d); mkfifo "$dir/in"
      \(command) <"$dir/in" >"$dir/out" & program=$!
      exec 3>"$dir/in"
      printf '%s\\n' \(quoted(first)) >&3
      until grep -q '"chunk"' "$dir/out"; do sleep 0.05; done
      printf '%s\\n' \(then.map(quoted).joined(separator: " ")) >&3
      exec 3>&-
      wait $program; status=$?
      cat "$dir/out"; rm -r "$dir"; exit $status
      """, env: env)
  }

  /// Runs a shell pipeline with `/bin/sh -c`, the built programs first on PATH, without
  /// holding a thread of the concurrency pool.
  static func shell(
    _ script: String, env: [String: String] = environment(), hangGuard: Double = 300,
    sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> Result {
    var env = env
    env["PATH"] = binDirectory.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
    let ready = env
    let ended = try await DedicatedThread.run { () throws(Spawn.Failure) -> Spawn.Ended in
      try Spawn.runToEnd("/bin/sh", ["-c", script], env: ready, feed: Spawn.Feed(hangGuard: hangGuard))
    }
    #expect(!ended.hung, "the script hung and was killed after \(Int(hangGuard)) s", sourceLocation: sourceLocation)
    return Result(ended)
  }

  /// Checks `condition` until it holds (true) or two minutes pass (false, and a recorded
  /// issue): for states a test cannot be told of, only look at.
  static func eventually(
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
  ) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(120)
    while ContinuousClock.now < deadline {
      if try await condition() { return true }
      try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("waited two minutes for \(what)", sourceLocation: sourceLocation)
    return false
  }

  /// SPEC §3 invariants 1–2: exactly one terminal event, last; the chunks concatenate to the
  /// text the provider sent (when known).
  static func expectInvariants(
    _ result: Result, answer expected: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let events = result.events
    #expect(events.filter(\.isTerminal).count == 1, "exactly one terminal event", sourceLocation: sourceLocation)
    #expect(events.last?.isTerminal == true, "the terminal event is last", sourceLocation: sourceLocation)
    if let expected { #expect(result.answer == expected, sourceLocation: sourceLocation) }
  }
}

/// The fake provider, started once per test process and shared (tests keep apart by `key=`).
final class FakeProviderServer: Sendable {
  /// The shared server, started on first use.
  static var shared: FakeProviderServer {
    get async throws { try await starting.value }
  }

  private static let starting = Task {
    // Its stdin is a pipe we never write: it exits when the test process ends.
    let (process, baseURL) = try await RunningProcess.start(
      Harness.binary("tgpt-fake-provider").path, [], env: ProcessInfo.processInfo.environment, keepStdinOpen: true)
    return FakeProviderServer(process: process, baseURL: baseURL)
  }

  let baseURL: String
  private let process: RunningProcess

  private init(process: RunningProcess, baseURL: String) {
    self.process = process
    self.baseURL = baseURL
  }

  /// A base URL (`…/v1`) for one scenario, e.g. `url("status=429;times=1")`.
  func url(_ scenario: String) -> String { "\(baseURL)/\(scenario)/v1" }

  /// The request bodies received for `key`.
  func requests(key: String) async throws -> [JSON] {
    let body = try await LoopbackHTTP.get(baseURL + "/_requests?key=" + key)
    return try body.split(separator: "\n").map { try JSON.parse(String($0)) }
  }

  /// Lets the answers waiting on `gate` (scenario `gate=NAME`) go on.
  func release(gate: String) async throws {
    _ = try await LoopbackHTTP.get(baseURL + "/_release?gate=" + gate)
  }
}

/// A minimal HTTP GET over a loopback socket (FoundationNetworking is not needed for this).
enum LoopbackHTTP {
  struct Failure: Error { let what: String }

  /// A TCP socket connected to `port` on 127.0.0.1; `receiveBuffer` sets its receive buffer
  /// first; `from` another loopback address (127.0.0.2, …) to be another client address.
  static func connectedSocket(port: UInt16, receiveBuffer: Int32? = nil, from: String? = nil) throws(Failure) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    if var size = receiveBuffer {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
    if let from {
      var local = sockaddr_in()
      local.sin_family = sa_family_t(AF_INET)
      local.sin_addr.s_addr = inet_addr(from)
      let bound = withUnsafePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      }
      guard bound == 0 else {
        close(fd)
        throw Failure(what: "cannot bind to \(from)")
      }
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      close(fd)
      throw Failure(what: "cannot connect to port \(port)")
    }
    return fd
  }

  /// The body of a GET, read on a thread of its own.
  static func get(_ url: String) async throws -> String {
    try await DedicatedThread.run { () throws(Failure) -> String in try getBlocking(url) }
  }

  private static func getBlocking(_ url: String) throws(Failure) -> String {
    guard url.hasPrefix("http://127.0.0.1:") else { throw Failure(what: "only loopback URLs: \(url)") }
    let rest = url.dropFirst("http://127.0.0.1:".count)
    let portText = rest.prefix { $0.isNumber }
    let path = String(rest.dropFirst(portText.count))
    guard let port = UInt16(portText) else { throw Failure(what: "bad port in \(url)") }
    let fd = try connectedSocket(port: port)
    defer { close(fd) }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n <= 0 { break }
      response.append(contentsOf: buffer[..<n])
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw Failure(what: "no HTTP head") }
    let body = String(text[split.upperBound...])
    return text[..<split.lowerBound].lowercased().contains("transfer-encoding: chunked") ? dechunk(body) : body
  }

  /// Decodes a chunked body.
  static func dechunk(_ body: String) -> String {
    var result = ""
    var rest = Substring(body)
    while let lineEnd = rest.range(of: "\r\n") {
      guard let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 else { break }
      let start = lineEnd.upperBound
      let bytes = Array(rest[start...].utf8.prefix(size))
      result += String(decoding: bytes, as: UTF8.self)
      rest = Substring(String(decoding: Array(rest[start...].utf8.dropFirst(size + 2)), as: UTF8.self))
    }
    return result
  }
}

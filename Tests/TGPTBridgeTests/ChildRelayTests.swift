import Foundation
import Logging
import TGPTBridge
import TGPTEvents
import Testing

/// A child that answers every line with a chunk and a complete carrying the line's id.
let answeringChild = [
  "/bin/sh", "-c",
  #"while IFS= read -r l; do id=$(printf '%s' "$l" | sed 's/.*"id":"\([^"]*\)".*/\1/'); "#
    + #"printf '{"type":"chunk","content":"ok","id":"%s"}\n{"type":"complete","processing_time_ms":0,"id":"%s"}\n' "$id" "$id"; done"#,
]

/// A child whose messages get one chunk and no end; a cancel ends the answer it names with
/// `interrupted`, as tgpt-session does.
let cancellableChild = [
  "/bin/sh", "-c",
  #"while IFS= read -r l; do case "$l" in *'"cancel"'*) id=$(printf '%s' "$l" | sed 's/.*"cancel":"\([^"]*\)".*/\1/'); "#
    + #"printf '{"type":"error","error":"cancelled","code":"interrupted","id":"%s"}\n' "$id";; "#
    + #"*) id=$(printf '%s' "$l" | sed 's/.*"id":"\([^"]*\)".*/\1/'); "#
    + #"printf '{"type":"chunk","content":"ok","id":"%s"}\n' "$id";; esac; done"#,
]

func events(of connection: RelayConnection, count: Int) async -> [EventTags] {
  var seen: [EventTags] = []
  for await line in connection.events {
    if let tags = EventTags.read(line) { seen.append(tags) }
    if seen.count == count { break }
  }
  return seen
}

/// A started relay for `body`, stopped afterwards (its child exited) even when `body` throws.
func withRelay(
  _ configuration: ChildRelay.Configuration, _ body: (ChildRelay) async throws -> Void
) async throws {
  let relay = ChildRelay(configuration: configuration, logger: Logger(label: "test"))
  try relay.start()
  do {
    try await body(relay)
  } catch {
    await relay.stop()
    throw error
  }
  await relay.stop()
}

@Suite(.timeLimit(.minutes(5))) struct ChildRelayTests {
  @Test func routesEachAnswerToItsConnectionWithTheClientsIdBack() async throws {
    try await withRelay(.init(command: answeringChild)) { relay in
      let a = try relay.connect(sessionID: "a")
      let b = try relay.connect(sessionID: "b")
      relay.submit(InputMessage(message: "x", id: "mine"), on: a)
      relay.submit(InputMessage(message: "y"), on: b)
      let fromA = await events(of: a, count: 2)
      let fromB = await events(of: b, count: 2)
      #expect(fromA.map(\.id) == ["mine", "mine"])
      #expect(fromB.map(\.type) == ["chunk", "complete"])
      #expect(fromB.allSatisfy { $0.id == nil }, "the relay's own request ids never reach a client")
      #expect(relay.inFlight == 0 && a.inFlight == 0)
    }
  }

  @Test func aCancelReachesTheChildAsItsOwnIdAndOnlyForTheConnectionThatSentIt() async throws {
    try await withRelay(.init(command: cancellableChild)) { relay in
      let a = try relay.connect(sessionID: "a")
      let b = try relay.connect(sessionID: "b")
      relay.submit(InputMessage(message: "x", id: "same"), on: a)
      relay.submit(InputMessage(message: "y", id: "same"), on: b)
      #expect(await events(of: a, count: 1).map(\.type) == ["chunk"])
      #expect(await events(of: b, count: 1).map(\.type) == ["chunk"])
      relay.cancel(CancelRequest(id: "not-in-flight"), on: a)
      relay.cancel(CancelRequest(id: "same"), on: a)
      let ended = await events(of: a, count: 1)
      #expect(ended.first?.type == "error" && ended.first?.code == "interrupted" && ended.first?.id == "same")
      // The child answers in order: had it been sent a cancel for b, its error would come
      // before the marker's chunk.
      relay.submit(InputMessage(message: "z", id: "marker"), on: b)
      let next = await events(of: b, count: 1)
      #expect(next.first?.type == "chunk" && next.first?.id == "marker", "b's answer with the same id goes on")
      #expect(a.inFlight == 0 && b.inFlight == 2)
    }
  }

  @Test func aCrashFailsTurnsInFlightAndTheChildIsRestarted() async throws {
    let marker = "/tmp/tgpt-relay-crash-\(UInt32.random(in: 0...UInt32.max))"
    // The first child crashes on its first line; the next one answers.
    let command = [
      "/bin/sh", "-c", "if [ ! -e \(marker) ]; then touch \(marker); read l; exit 3; fi; " + answeringChild[2],
    ]
    try await withRelay(.init(command: command, maxRestartDelay: .milliseconds(100))) { relay in
      let connection = try relay.connect(sessionID: "s")
      relay.submit(InputMessage(message: "first", id: "1"), on: connection)
      let failed = await events(of: connection, count: 1)
      #expect(failed.first?.type == "error" && failed.first?.code == "unavailable" && failed.first?.id == "1")
      relay.submit(InputMessage(message: "second", id: "2"), on: connection)
      let answered = await events(of: connection, count: 2)
      #expect(answered.map(\.type) == ["chunk", "complete"] && answered.last?.id == "2")
      #expect(relay.metrics.prometheusText().contains("tgpt_child_restarts_total 1\n"))
    }
  }

  @Test func aConnectionThatIsNotReadOverflowsAtItsByteLimitAndEnds() async throws {
    let limits = RelayConnection.Limits(maxQueuedBytes: 300, stallTimeout: .seconds(3600))
    try await withRelay(.init(command: answeringChild, connectionLimits: limits)) { relay in
      let stuck = try relay.connect(sessionID: "s")
      for index in 0..<20 { relay.submit(InputMessage(message: "m", id: "\(index)"), on: stuck) }
      while relay.inFlight > 0 { try await Task.sleep(for: .milliseconds(10)) }
      #expect(stuck.overflowed)
      var delivered = 0
      for await line in stuck.events { delivered += line.count }
      #expect(delivered > 0 && delivered <= 300)
    }
  }

  @Test func aClientThatTakesItsEventsIsNeverDroppedHoweverManyCome() async throws {
    // Thousands of events (the old limit was 4,096 of them), and a reader that keeps taking
    // them: a stall timeout far beyond any pause a loaded machine makes.
    let limits = RelayConnection.Limits(maxQueuedBytes: 16 << 20, stallTimeout: .seconds(120))
    try await withRelay(.init(command: answeringChild, connectionLimits: limits)) { relay in
      let reader = try relay.connect(sessionID: "s")
      let count = 5000
      let consumer = Task {
        var ends = 0
        for await line in reader.events {
          reader.taken(line.count)
          if EventTags.read(line)?.type == "complete" { ends += 1 }
          if ends == count { break }
        }
        return ends
      }
      for index in 0..<count { relay.submit(InputMessage(message: "m", id: "\(index)"), on: reader) }
      #expect(await consumer.value == count)
      #expect(!reader.overflowed)
    }
  }

  @Test func eventsWaitingWithNoProgressPastTheStallTimeoutEndTheConnection() {
    let connection = RelayConnection(
      sessionID: "s", principal: nil, number: 1, limits: .init(maxQueuedBytes: 1 << 20, stallTimeout: .zero))
    connection.deliver(Array("one".utf8))
    connection.taken(3)
    connection.deliver(Array("two".utf8))
    #expect(!connection.overflowed, "events that the client takes as they come are progress")
    connection.deliver(Array("three".utf8))
    #expect(connection.overflowed, "a second event waiting behind one never taken is a stall")
  }

  @Test func drainWaitsForTurnsInFlightAndRefusesNewOnes() async throws {
    let slow = ["/bin/sh", "-c", "sleep 0.3; " + answeringChild[2]]
    try await withRelay(.init(command: slow)) { relay in
      let connection = try relay.connect(sessionID: "s")
      relay.submit(InputMessage(message: "m", id: "1"), on: connection)
      relay.stopAccepting()
      relay.submit(InputMessage(message: "late", id: "2"), on: connection)
      #expect(await relay.drain(timeout: .seconds(20)))
      let seen = await events(of: connection, count: 3)
      let refused = seen.first { $0.id == "2" }
      #expect(refused?.type == "error" && refused?.code == "unavailable")
      #expect(seen.last { $0.id == "1" }?.type == "complete")
    }
  }

  @Test func closingAConnectionCancelsItsTurnsInTheChild() async throws {
    try await withRelay(.init(command: cancellableChild)) { relay in
      let gone = try relay.connect(sessionID: "a")
      let stays = try relay.connect(sessionID: "b")
      for index in 0..<3 { relay.submit(InputMessage(message: "x", id: "\(index)"), on: gone) }
      relay.submit(InputMessage(message: "y", id: "kept"), on: stays)
      #expect(await events(of: gone, count: 3).map(\.type) == ["chunk", "chunk", "chunk"])
      #expect(await events(of: stays, count: 1).map(\.type) == ["chunk"])
      gone.close()
      relay.abandon(gone)
      while relay.inFlight > 1 { try await Task.sleep(for: .milliseconds(10)) }
      #expect(gone.inFlight == 0, "each abandoned turn ended in the child")
      #expect(stays.inFlight == 1, "the other connection's turn goes on")
    }
  }

  @Test func anEventOverTheLineLimitEndsItsTurnWithAnErrorNotSilence() async throws {
    // A history line of 9 MB (over the 8 MiB limit), its id at the end as tgpt-session writes
    // it, then the turn's complete.
    let child = [
      "/bin/sh", "-c",
      #"while IFS= read -r l; do id=$(printf '%s' "$l" | sed 's/.*"id":"\([^"]*\)".*/\1/'); "#
        + #"printf '{"type":"chunk","content":"ok","id":"%s"}\n' "$id"; "#
        + #"printf '{"type":"history","messages":"'; head -c 9000000 /dev/zero | tr '\0' a; "#
        + #"printf '","id":"%s","session_id":"s"}\n{"type":"complete","processing_time_ms":0,"id":"%s"}\n' "$id" "$id"; done"#,
    ]
    try await withRelay(.init(command: child)) { relay in
      let connection = try relay.connect(sessionID: "s")
      relay.submit(InputMessage(message: "x", id: "big"), on: connection)
      relay.submit(InputMessage(message: "y", id: "next"), on: connection)
      var seen: [(type: String?, id: String?, line: String)] = []
      for await line in connection.events {
        let tags = EventTags.read(line)
        seen.append((tags?.type, tags?.id, String(decoding: line, as: UTF8.self)))
        if tags?.id == "next", tags?.type == "error" { break }
      }
      let big = seen.filter { $0.id == "big" }
      #expect(big.map(\.type) == ["chunk", "error"], "the error ends the turn; the child's complete is dropped")
      #expect(big.last?.line.contains("over the relay's limit of 8 MiB") == true)
      #expect(big.last?.line.contains(#""partial":true"#) == true)
      #expect(seen.filter { $0.id == "next" }.map(\.type) == ["chunk", "error"])
      while relay.inFlight > 0 { try await Task.sleep(for: .milliseconds(10)) }
    }
  }

  @Test func aCrashAfterChunksWentOutIsAPartialError() async throws {
    let child = [
      "/bin/sh", "-c",
      #"read -r l; id=$(printf '%s' "$l" | sed 's/.*"id":"\([^"]*\)".*/\1/'); "#
        + #"printf '{"type":"chunk","content":"so far","id":"%s"}\n' "$id"; exit 9"#,
    ]
    try await withRelay(.init(command: child, maxRestartDelay: .seconds(60))) { relay in
      let connection = try relay.connect(sessionID: "s")
      relay.submit(InputMessage(message: "x", id: "1"), on: connection)
      var lines: [String] = []
      for await line in connection.events {
        lines.append(String(decoding: line, as: UTF8.self))
        if lines.count == 2 { break }
      }
      #expect(lines.last?.contains(#""code":"unavailable""#) == true)
      #expect(lines.last?.contains(#""partial":true"#) == true, "a chunk was sent: \(lines)")
    }
  }

  /// A child that writes its pid to a file first; `rest` is what it then runs (by `exec`).
  static func childWritingItsPID(then rest: String) -> (command: [String], pidFile: String) {
    let file = "/tmp/tgpt-relay-pid-\(UInt32.random(in: 0...UInt32.max))"
    return (["/bin/sh", "-c", "echo $$ > \(file).tmp && mv \(file).tmp \(file) && exec \(rest)"], file)
  }

  /// The pid in `file`, once the child has written it.
  static func pid(in file: String) async throws -> pid_t {
    while true {
      if let text = try? String(contentsOfFile: file, encoding: .utf8),
        let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
      {
        return pid
      }
      try await Task.sleep(for: .milliseconds(10))
    }
  }

  @Test func stopReturnsOnlyOnceTheChildHasExited() async throws {
    let (command, file) = Self.childWritingItsPID(then: "/bin/cat")
    let relay = ChildRelay(configuration: .init(command: command), logger: Logger(label: "test"))
    try relay.start()
    let pid = try await Self.pid(in: file)
    await relay.stop()
    // Reaped: the pid is gone, not a zombie waiting for someone to collect it.
    #expect(kill(pid, 0) == -1 && errno == ESRCH)
  }

  @Test func aChildThatIgnoresTheEndOfItsInputIsKilledAfterTheGrace() async throws {
    let (command, file) = Self.childWritingItsPID(then: "sleep 1000")
    let relay = ChildRelay(configuration: .init(command: command), logger: Logger(label: "test"))
    try relay.start()
    let pid = try await Self.pid(in: file)
    await relay.stop(grace: .milliseconds(100))
    #expect(kill(pid, 0) == -1 && errno == ESRCH)
  }
}

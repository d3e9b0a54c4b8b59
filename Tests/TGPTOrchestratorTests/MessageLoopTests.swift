import Foundation
import TGPTSession
import Testing

@testable import TGPTEvents
@testable import TGPTOrchestrator

/// A pipe whose read end feeds a loop; `lines` are written into it and, unless `keepOpen`,
/// the write end is closed after them.
func feed(_ lines: [String], keepOpen: Bool = false) -> (LineFeed, writeEnd: Int32) {
  // Close-on-exec: a program another test starts meanwhile must not hold the pipe open.
  let ends = FileIO.makePipe()!
  let text = lines.map { $0 + "\n" }.joined()
  let writeEnd = ends.write
  DedicatedThread.start {
    _ = Array(text.utf8).withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
    if !keepOpen { close(writeEnd) }
  }
  return (LineFeed(fd: ends.read, window: 8), writeEnd)
}

func loop(_ runner: TurnRunner, _ order: MessageLoop.Order) -> MessageLoop {
  MessageLoop(
    runner: runner, order: order, defaultSession: "default", settings: SessionSettings(), includeFailed: false,
    makeRequestID: { "r-\(UInt32.random(in: 0...UInt32.max))" })
}

@Suite struct MessageLoopTests {
  @Test func sessionsRunAtOnceInOrderWithinEachAndABadLineAffectsNothing() async throws {
    var lines: [String] = []
    for round in 0..<3 {
      for session in 0..<10 {
        lines.append(
          #"{"message":"m\#(round) of s\#(session)","session_id":"s\#(session)","id":"s\#(session)-\#(round)"}"#)
      }
      if round == 1 { lines += ["{broken", #"{"message":""}"#, #"{"message":"x","session_id":"bad id","id":"b"}"#] }
    }
    lines.append(#"{"message":"untagged"}"#)
    let events = Collected()
    let store = try makeStore()
    let summary = await loop(echoRunner(store), .perSession).run(feed(lines).0, interruption: { "stop" }) {
      events.append($0)
    }
    #expect(summary.firstFailure == .badInput && !summary.outputClosed)
    let errors = events.all.compactMap { if case .error(let f) = $0.payload { f } else { nil } }
    #expect(errors.count == 3 && errors.allSatisfy { $0.code == .badInput })
    #expect(errors.first?.message.contains("line 21") == true, "the error names the line")
    for session in 0..<10 {
      let answers = events.all.filter { $0.sessionID == "s\(session)" && $0.type == "complete" }.map(\.id)
      #expect(answers == (0..<3).map { "s\(session)-\($0)" }, "s\(session) answered in order")
      let stored = try #require(try await store.session("s\(session)")).messages.filter { $0.role == "assistant" }
      #expect(stored.map(\.content) == (0..<3).map { "m\($0) of s\(session)" })
    }
    let tagged = events.all.filter { $0.type != "error" }
    #expect(tagged.allSatisfy { $0.id != nil && $0.sessionID != nil }, "every turn's event is tagged")
    #expect(tagged.filter { $0.sessionID == "default" && $0.type == "complete" }.count == 1)
    for id in Set(tagged.compactMap(\.id)) {
      #expect(events.all.filter { $0.id == id && $0.isTerminal }.count == 1, "one terminal event for \(id)")
    }
  }

  @Test(.timeLimit(.minutes(5))) func sessionsOverlapAndABadLineIsAnsweredInItsSessionsOrder() async throws {
    var lines = (0..<4).map { #"{"message":"a b c d","session_id":"s\#($0)","id":"t\#($0)"}"# }
    lines.append(#"{"message":"","session_id":"s0","id":"bad"}"#)
    let events = Collected()
    // No turn goes on until all four have begun: run one at a time, they would wait forever.
    let allBegun = Barrier(count: 4)
    let runner = echoRunner(try makeStore(), beforeTurn: { await allBegun.arrive() })
    _ = await loop(runner, .perSession).run(feed(lines).0, interruption: { "" }) { events.append($0) }
    let all = events.all
    #expect(all.filter { $0.isTerminal && $0.type == "complete" }.count == 4)
    let badIndex = try #require(all.firstIndex { $0.id == "bad" })
    let s0End = try #require(all.firstIndex { $0.id == "t0" && $0.isTerminal })
    #expect(badIndex > s0End, "the bad line of s0 is answered after s0's earlier turn")
    #expect(all[badIndex].sessionID == "s0")
  }

  @Test(.timeLimit(.minutes(5))) func cancellingTheLoopEndsEveryTurnInFlightOnce() async throws {
    // Answers of a minute and a half each: all three are still streaming when the loop is cancelled.
    let words = (1...900).map { "w\($0)" }.joined(separator: " ")
    let lines = (0..<3).map { #"{"message":"\#(words)","session_id":"s\#($0)","id":"t\#($0)"}"# }
    let (lineFeed, writeEnd) = feed(lines, keepOpen: true)
    defer { close(writeEnd) }
    let events = Collected()
    let running = loop(echoRunner(try makeStore(), delayMs: 100), .perSession)
    let task = Task { await running.run(lineFeed, interruption: { "stopped" }) { events.append($0) } }
    while Set(events.all.filter { $0.type == "chunk" }.compactMap(\.id)).count < 3 {
      try await Task.sleep(for: .milliseconds(10))
    }
    task.cancel()
    let summary = await task.value
    #expect(summary.firstFailure == .interrupted)
    for index in 0..<3 {
      let terminal = events.all.filter { $0.id == "t\(index)" && $0.isTerminal }
      #expect(terminal.count == 1)
      guard case .error(let failure)? = terminal.first?.payload else { Issue.record("t\(index) not ended"); continue }
      #expect(failure.code == .interrupted && failure.message == "stopped")
    }
  }

  @Test(.timeLimit(.minutes(5))) func aCancelStopsOnlyTheTurnItNamesWhichIsStoredInterrupted() async throws {
    // t0 streams for a minute and a half, so the cancel meets it in progress; t1 is short.
    let long = "a " + (1...900).map { "w\($0)" }.joined(separator: " ")
    let lines = [long, "i j k l m n o p"].enumerated().map { index, words in
      #"{"message":"\#(words)","session_id":"s\#(index)","id":"t\#(index)"}"#
    }
    let (lineFeed, writeEnd) = feed(lines, keepOpen: true)
    let events = Collected()
    let store = try makeStore()
    let running = loop(echoRunner(store, delayMs: 100), .perSession)
    let task = Task { await running.run(lineFeed, interruption: { "stopped" }) { events.append($0) } }
    while !events.all.contains(where: { $0.type == "chunk" && $0.id == "t0" }) {
      try await Task.sleep(for: .milliseconds(10))
    }
    // An id nobody is answering is ignored; then t0 is cancelled and the input ends.
    let cancels = #"{"cancel":"nobody"}"# + "\n" + #"{"cancel":"t0","session_id":"s0"}"# + "\n"
    _ = Array(cancels.utf8).withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
    close(writeEnd)
    let summary = await task.value
    #expect(summary.firstFailure == .interrupted)
    let ends = Dictionary(uniqueKeysWithValues: events.all.filter(\.isTerminal).map { ($0.id ?? "", $0.payload) })
    #expect(ends.count == 2, "one terminal event each, none for the cancels: \(ends.keys)")
    guard case .error(let failure)? = ends["t0"] else {
      Issue.record("t0 was not stopped")
      return
    }
    #expect(failure.code == .interrupted && failure.message == "cancelled by the client" && failure.partial)
    guard case .complete? = ends["t1"] else {
      Issue.record("t1 did not complete")
      return
    }
    let stopped = try #require(try await store.session("s0")).messages.last
    #expect(stopped?.status == .interrupted && stopped?.content.hasPrefix("a") == true)
    #expect(try #require(try await store.session("s1")).messages.last?.content == "i j k l m n o p")
  }

  @Test func aHistoryRequestIsAnsweredAfterTheTurnsBeforeItInItsSession() async throws {
    let lines = [
      #"{"message":"one two three","session_id":"s","id":"t"}"#, #"{"history":true,"session_id":"s","id":"h"}"#,
      #"{"history":true,"session_id":"unused","id":"u"}"#, #"{"history":true,"session_id":"bad id","id":"b"}"#,
    ]
    let events = Collected()
    _ = await loop(echoRunner(try makeStore(), delayMs: 50), .perSession).run(feed(lines).0, interruption: { "" }) {
      events.append($0)
    }
    let history = try #require(events.all.first { $0.id == "h" && $0.type == "history" })
    guard case .other(_, let fields) = history.payload, case .array(let messages)? = fields["messages"] else {
      Issue.record("no messages: \(history)")
      return
    }
    #expect(messages.map { $0["content"]?.stringValue } == ["one two three", "one two three"], "the turn came first")
    #expect(fields["session"]?["turns"]?.intValue == 1)
    #expect(events.all.filter { $0.id == "h" }.map(\.type) == ["history", "complete"])
    let unused = try #require(events.all.first { $0.id == "u" && $0.type == "history" })
    guard case .other(_, let empty) = unused.payload else { return }
    #expect(empty["session"] == .null && empty["messages"] == .array([]))
    guard case .error(let failure)? = events.all.first(where: { $0.id == "b" })?.payload else {
      Issue.record("a bad session id is an error")
      return
    }
    #expect(failure.code == .badInput)
  }

  @Test func aDeleteRequestRemovesTheSessionAfterItsTurnsAndSaysSo() async throws {
    let lines = [
      #"{"message":"one two three","session_id":"s","id":"t"}"#, #"{"delete":true,"session_id":"s","id":"d"}"#,
      #"{"message":"again","session_id":"s","id":"t2"}"#, #"{"delete":true,"session_id":"never","id":"n"}"#,
      #"{"delete":true,"session_id":"bad id","id":"b"}"#, #"{"message":"kept","session_id":"other","id":"o"}"#,
    ]
    let events = Collected()
    let store = try makeStore()
    _ = await loop(echoRunner(store, delayMs: 50), .perSession).run(feed(lines).0, interruption: { "" }) {
      events.append($0)
    }
    // The turn before the delete ended first; the turn after it started the session afresh.
    let all = events.all
    let turnEnded = try #require(all.lastIndex { $0.id == "t" })
    let deleted = try #require(all.firstIndex { $0.id == "d" })
    let nextStarted = try #require(all.firstIndex { $0.id == "t2" })
    #expect(all[turnEnded].type == "complete" && turnEnded < deleted && deleted < nextStarted)
    #expect(events.all.filter { $0.id == "d" }.map(\.type) == ["deleted", "complete"])
    guard case .other(_, let fields)? = events.all.first(where: { $0.id == "d" })?.payload else { return }
    #expect(fields["existed"] == .bool(true))
    let restarted = try #require(try await store.session("s"))
    #expect(restarted.messages.map(\.content) == ["again", "again"], "only the turn after the delete is left")
    guard case .other(_, let never)? = events.all.first(where: { $0.id == "n" })?.payload else { return }
    #expect(never["existed"] == .bool(false))
    #expect(events.all.first { $0.id == "b" }?.type == "error")
    #expect(try await store.session("other") != nil, "other sessions are left alone")
  }

  @Test(.timeLimit(.minutes(5))) func aClosedOutputStopsTheLoopEvenWhileStdinStaysOpen() async throws {
    let lines = [#"{"message":"a b c d e f g h","session_id":"s","id":"t"}"#]
    let (lineFeed, writeEnd) = feed(lines, keepOpen: true)
    defer { close(writeEnd) }
    let written = Collected()
    let summary = await loop(echoRunner(try makeStore(), delayMs: 20), .perSession).run(
      lineFeed, interruption: { "" }
    ) { event in
      if written.all.count == 3 { throw ProtocolError.outputClosed }
      written.append(event)
    }
    #expect(summary.outputClosed, "the loop ended although stdin is still open")
    #expect(written.all.count == 3)
  }

  @Test func sequentialOrderRunsOneTurnAtATime() async throws {
    let lines = [
      #"{"message":"one two three","session_id":"a","id":"1"}"#, #"{"message":"four","session_id":"b","id":"2"}"#,
    ]
    let events = Collected()
    _ = await loop(echoRunner(try makeStore(), delayMs: 20), .sequential).run(feed(lines).0, interruption: { "" }) {
      events.append($0)
    }
    let ids = events.all.compactMap(\.id)
    #expect(ids == ids.sorted(), "turn 2 starts after turn 1 ends")
    #expect(Set(ids) == ["1", "2"])
  }
}

import Foundation
import TGPTEvents
import Testing

/// Issue 18: the SQLite store on a disk that fills up (a small tmpfs mounted for the test).
@Suite(.enabled(if: getuid() == 0, "mounts a tmpfs: needs root"))
struct FullDiskTests {
  /// Runs `body` with a tmpfs of `megabytes` mounted at a new directory, and unmounts it after,
  /// whether `body` throws or not.
  static func withDisk(megabytes: Int, _ body: (URL) async throws -> Void) async throws {
    let directory = Harness.scratchDirectory()
    let mounted = try await Harness.shell("mount -t tmpfs -o size=\(megabytes)m tgpt-full '\(directory.path)'")
    try #require(mounted.status == 0, "mount: \(mounted.stderr)")
    var failure: (any Error)?
    do { try await body(directory) } catch { failure = error }
    _ = try await Harness.shell("umount -l '\(directory.path)'")
    if let failure { throw failure }
  }

  static func resize(_ directory: URL, megabytes: Int) async throws {
    let result = try await Harness.shell("mount -o remount,size=\(megabytes)m '\(directory.path)'")
    try #require(result.status == 0, "remount: \(result.stderr)")
  }

  @Test func aFullDiskIsAClearErrorAndLosesNothingStored() async throws {
    try await Self.withDisk(megabytes: 2, Self.fillAndRecover)
  }

  static func fillAndRecover(_ disk: URL) async throws {
    let env = Harness.environment(home: disk)
    let filler = String(repeating: "x", count: 16 * 1024)
    var answered: [String] = []
    var failed: Harness.Result?
    for index in 0..<400 {
      let message = "turn \(index) \(filler)"
      let result = try await Harness.run("tgpt-session", ["--provider", "echo", "-s", "full", message], env: env)
      if result.status == 0 {
        Harness.expectInvariants(result, answer: message)
        answered.append(message)
        continue
      }
      failed = result
      break
    }
    let failure = try #require(failed, "2 MB never filled up: \(answered.count) turns stored")
    #expect(answered.count > 5, "the disk filled only after some turns: \(answered.count)")
    #expect(failure.status == ErrorKind.unavailable.exitCode, "exit \(failure.status): \(failure.stderr)")
    #expect(failure.stderr.contains("disk is full"), "the error says the disk is full: \(failure.stderr)")
    #expect(failure.stderr.split(separator: "\n").count <= 3, "one clear error, not a trace: \(failure.stderr)")
    Harness.expectInvariants(failure)

    // The same again on the full disk: the same clear error, no crash.
    let again = try await Harness.run("tgpt-session", ["--provider", "echo", "-s", "full", "again"], env: env)
    #expect(again.status == ErrorKind.unavailable.exitCode, "exit \(again.status): \(again.stderr)")
    let listed = try await Harness.run("tgpt-session", ["list"], env: env)
    #expect(listed.status == 0, "reading works on a full disk: \(listed.stderr)")

    try await Self.resize(disk, megabytes: 16)
    let check = try await Harness.run("tgpt-session", ["check"], env: env)
    #expect(check.status == 0, "\(check.text) \(check.stderr)")
    let messages = try await SessionEndToEndTests.messages("full", env: env)
    let complete = messages.filter { $0["role"]?.stringValue == "assistant" && $0["status"]?.stringValue == "complete" }
    // Compared by label and length: a failure message of megabytes helps nobody.
    let label = { (text: String) in "\(text.prefix(while: { $0 != "x" }))(\(text.utf8.count) bytes)" }
    #expect(
      complete.map { label($0["content"]?.stringValue ?? "") } == answered.map(label),
      "every answered turn is stored, whole")
    let others = messages.filter { $0["role"]?.stringValue == "assistant" && $0["status"]?.stringValue != "complete" }
    #expect(others.allSatisfy { $0["status"]?.stringValue == "interrupted" }, "a turn cut by the full disk is marked")
    let after = try await Harness.run(
      "tgpt-session", ["--provider", "echo", "-s", "full", "with room again"], env: env)
    #expect(after.status == 0, "\(after.stderr)")
  }
}

import Foundation
import TGPTEvents
import Testing

/// The chat's `/attach`, on the local store and through a server: what is attached goes with
/// the next message only, `/retry` sends it again, and a refused file says why.
@Suite(.timeLimit(.minutes(10))) struct ChatAttachTests {
  @Test(arguments: [false, true]) func attachedFilesGoWithTheNextMessageOnly(throughServer: Bool) async throws {
    let key = "chat\(UInt32.random(in: 0...UInt32.max))"
    let provider = [
      "--provider", "openrouter", "--base-url", try await FakeProviderServer.shared.url("key=\(key);text=seen"),
    ]
    let env = ChatEndToEndTests.chatEnvironment()
    let home = try #require(env["HOME"])
    try Data(AttachmentEndToEndTests.png).write(to: URL(fileURLWithPath: home + "/red.png"))
    try Data([0, 1, 2]).write(to: URL(fileURLWithPath: home + "/binary.dat"))
    var server: BridgeServerProcess?
    let command: String
    if throughServer {
      let started = try await BridgeServerProcess.start(
        ["--max-message-bytes", "65536"], child: [ChatEndToEndTests.session, "serve"] + provider, env: env)
      server = started
      command = "\(ChatEndToEndTests.session) chat -s pic --api-url \(started.wsBase)"
    } else {
      command = "\(ChatEndToEndTests.session) chat -s pic " + provider.map { "'\($0)'" }.joined(separator: " ")
    }
    defer { server?.terminate() }
    let chat = try await TmuxSession.start(command: command, env: env)
    try await chat.wait("the prompt") { $0.contains("pic>") }
    try await chat.send("/attach", "Enter")
    try await chat.wait("the empty list") { $0.contains("nothing attached;") }
    try await chat.send("/attach ~/binary.dat", "Enter")
    try await chat.wait("the refusal") { $0.contains("cannot attach binary.dat: not an image") }
    try await chat.send("/attach ~/red.png", "Enter")
    try await chat.wait("the attachment") { $0.contains("📎 red.png (image/png, 69 bytes) goes with your next message") }
    try await chat.send("what colour", "Enter")
    try await chat.wait("the answer") { $0.occurrences(of: "pic>") == 5 && $0.contains("\nseen") }
    try await chat.send("and now", "Enter")
    try await chat.wait("the second answer") { $0.occurrences(of: "pic>") == 6 }
    try await chat.send("/retry", "Enter")
    try await chat.wait("the retried answer") { $0.occurrences(of: "pic>") == 7 }
    try await chat.send("/history", "Enter")
    try await chat.wait("the history") {
      $0.contains("what colour\n📎 red.png (image/png, 69 bytes)\n") && $0.occurrences(of: "pic>") == 8
    }
    try await chat.send("C-d")
    try await chat.wait("the exit") { $0.contains("EXIT=0") }

    let requests = try await FakeProviderServer.shared.requests(key: key).map { $0["body"]?["messages"] ?? .null }
    let asked = requests.map { messages in
      messages.arrayValue?.last { $0["role"]?.stringValue == "user" }.map { Self.imageCount($0) } ?? -1
    }
    #expect(asked == [1, 0, 0], "the picture went with the first message only: \(requests)")
    #expect(requests.last?.arrayValue?.first.map(Self.imageCount) == 1, "and is sent again as history")
  }

  /// How many images a request message carries.
  static func imageCount(_ message: JSON) -> Int {
    message["content"]?.arrayValue?.count { $0["type"]?.stringValue == "image_url" } ?? 0
  }
}

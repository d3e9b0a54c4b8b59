import Foundation
import TGPTEvents
import Testing

/// Issue 16's images and files, as the provider receives them: `-a` on tgpt-stream and
/// tgpt-session, replay from the store, message lines to `serve`, and WebSocket messages
/// through the bridge. The fake provider records every request body.
@Suite(.timeLimit(.minutes(10))) struct AttachmentEndToEndTests {
  /// A 1×1 PNG (its signature and chunks are real; the fake never decodes it).
  static let png: [UInt8] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2,
    0, 0, 0, 0x90, 0x77, 0x53, 0xDE, 0, 0, 0, 12, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0, 0,
    3, 1, 1, 0, 0x18, 0xDD, 0x8D, 0xB0, 0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
  ]
  static var pngBase64: String { Base64.encode(png) }
  static let notes = "first line\nhas ``` a fence\n"

  struct Files {
    let directory = Harness.scratchDirectory()
    var picture: String { directory.appendingPathComponent("red.png").path }
    var notes: String { directory.appendingPathComponent("notes.txt").path }

    init() throws {
      try Data(AttachmentEndToEndTests.png).write(to: URL(fileURLWithPath: picture))
      try AttachmentEndToEndTests.notes.write(toFile: notes, atomically: true, encoding: .utf8)
    }
  }

  static var fake: FakeProviderServer { get async throws { try await FakeProviderServer.shared } }
  static func key() -> String { "a\(UInt32.random(in: 0...UInt32.max))" }
  static let env = Harness.environment(["OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"])

  /// The user message the fake received last for `key`, as compact JSON.
  static func lastUserMessage(_ key: String) async throws -> String {
    let body = try #require(try await fake.requests(key: key).last?["body"])
    let messages = try #require(body["messages"]?.arrayValue)
    return try #require(messages.last { $0["role"]?.stringValue == "user" }).compactText
  }

  static let fencedNotes = #"notes.txt:\n````\nfirst line\nhas ``` a fence\n````"#

  @Test func openAIGetsImageURLPartsWithADataURLAndFencedText() async throws {
    let files = try Files()
    let key = Self.key()
    let result = try await Harness.run(
      "tgpt-stream",
      [
        "--provider", "openai", "--base-url", try await Self.fake.url("key=\(key);text=red"), "-a", files.picture,
        "--attach", files.notes, "-a", "https://example.com/cat.jpg", "What is this?",
      ],
      env: Self.env)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.answer == "red")
    #expect(
      try await Self.lastUserMessage(key)
        == #"{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,"#
        + Self.pngBase64 + #""}},{"type":"text","text":""# + Self.fencedNotes
        + #""},{"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}},{"type":"text","text":"What is this?"}]}"#
    )
  }

  @Test func anthropicGetsImageBlocksWithABase64OrURLSource() async throws {
    let files = try Files()
    let key = Self.key()
    let result = try await Harness.run(
      "tgpt-stream",
      [
        "--provider", "anthropic", "--base-url", try await Self.fake.url("key=\(key);text=red"), "-a", files.picture,
        "-a", files.notes, "-a", "https://example.com/cat.jpg", "What is this?",
      ],
      env: Self.env)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      try await Self.lastUserMessage(key)
        == #"{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":""#
        + Self.pngBase64 + #""}},{"type":"text","text":""# + Self.fencedNotes
        + #""},{"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}},{"type":"text","text":"What is this?"}]}"#
    )
  }

  @Test func aSessionStoresAttachmentsOnceAndSendsThemAgainWithLaterTurns() async throws {
    let files = try Files()
    let key = Self.key()
    let url = try await Self.fake.url("key=\(key);text=ok")
    let env = Harness.environment(["OPENAI_API_KEY": "k"])
    for (words, attach) in [("one", [files.picture]), ("two", [files.picture, files.notes]), ("three", [])] {
      let result = try await Harness.run(
        "tgpt-session",
        ["--provider", "openai", "--base-url", url, "-s", "pics"] + attach.flatMap { ["-a", $0] } + [words], env: env)
      #expect(result.status == 0, "\(result.stderr)")
    }
    let last = try #require(try await Self.fake.requests(key: key).last?["body"]?["messages"]?.arrayValue)
    let image = #"{"type":"image_url","image_url":{"url":"data:image/png;base64,"# + Self.pngBase64 + #""}}"#
    #expect(
      last.map(\.compactText) == [
        #"{"role":"user","content":["# + image + #",{"type":"text","text":"one"}]}"#,
        #"{"role":"assistant","content":"ok"}"#,
        #"{"role":"user","content":["# + image + #",{"type":"text","text":""# + Self.fencedNotes
          + #""},{"type":"text","text":"two"}]}"#,
        #"{"role":"assistant","content":"ok"}"#,
        #"{"role":"user","content":"three"}"#,
      ])
    let shown = try await Harness.run("tgpt-session", ["show", "pics"], env: env)
    #expect(shown.text.contains("📎 red.png (image/png, 69 bytes)"), "\(shown.text)")
    #expect(shown.text.contains("📎 notes.txt (text/plain, 27 bytes)"), "\(shown.text)")
  }

  @Test func refusedAttachmentsSayWhyAndExit65BeforeAnyRequest() async throws {
    let files = try Files()
    let key = Self.key()
    let url = try await Self.fake.url("key=\(key)")
    let binary = files.directory.appendingPathComponent("a.out").path
    try Data([0x7F, 0x45, 0x4C, 0x46, 0, 1, 2]).write(to: URL(fileURLWithPath: binary))
    let big = files.directory.appendingPathComponent("big.png").path
    try Data(Self.png + Array(repeating: 0, count: 5 << 20)).write(to: URL(fileURLWithPath: big))
    // A FIFO nobody writes to: refused at once, not waited on.
    let fifo = files.directory.appendingPathComponent("fifo").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let cases: [(String, String)] = [
      (fifo, "cannot attach \(fifo): not a regular file"),
      (binary, "cannot attach a.out: not an image (PNG, JPEG, GIF, WebP) or a UTF-8 text file"),
      (big, "cannot attach big.png: 5 MiB is over the limit of 5 MiB"),
      (files.directory.appendingPathComponent("gone.png").path, "gone.png: No such file or directory"),
      ("file:///etc/passwd", "file:///etc/passwd"),
    ]
    for program in ["tgpt-stream", "tgpt-session"] {
      for (path, why) in cases {
        // Twice: an error path that works once must work again (the exit code, no crash).
        for _ in 0..<2 {
          let result = try await Harness.run(
            program, ["--provider", "openai", "--base-url", url, "-a", path, "hi"], env: Self.env)
          #expect(result.status == 65, "\(program) \(path): \(result.stderr)")
          #expect(result.stderr.contains(why), "\(program): \(result.stderr)")
        }
      }
    }
    #expect(try await Self.fake.requests(key: key).isEmpty, "nothing was sent")
  }

  @Test func serveTakesDataURLsOnMessageLinesAndRefusesBadOnesWithoutStopping() async throws {
    let key = Self.key()
    let url = try await Self.fake.url("key=\(key);text=seen")
    let good =
      #"{"message":"look","id":"1","attachments":[{"name":"shot.png","url":"data:image/png;base64,"#
      + Self.pngBase64 + #""}]}"#
    let bad = #"{"message":"look","id":"2","attachments":["data:image/png;base64,AAAAAAAA"]}"#
    let result = try await Harness.run(
      "tgpt-session", ["serve", "--provider", "openai", "--base-url", url], stdin: bad + "\n" + good + "\n",
      env: Self.env)
    let failures = result.events.compactMap { event -> String? in
      if case .error(let failure) = event.payload { return "\(event.id ?? ""): \(failure.message)" }
      return nil
    }
    #expect(failures.count == 1 && failures[0].contains("attachment-1: not an image"), "\(failures)")
    #expect(result.events.contains { if case .complete = $0.payload { $0.id == "1" } else { false } })
    #expect(
      try await Self.lastUserMessage(key)
        == #"{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,"#
        + Self.pngBase64 + #""}},{"type":"text","text":"look"}]}"#)
  }

  @Test func aWebSocketMessageCarriesAttachmentsWithinTheServersMessageLimit() async throws {
    let key = Self.key()
    let url = try await Self.fake.url("key=\(key);text=seen")
    let child = [Harness.binary("tgpt-session").path, "serve", "--provider", "openai", "--base-url", url]
    let server = try await BridgeServerProcess.start(["--max-message-bytes", "4096"], child: child, env: Self.env)
    defer { server.terminate() }
    let line = #"{"message":"look","attachments":["data:image/png;base64,"# + Self.pngBase64 + #""]}"#
    let talk = try await SeedClient.talk(server.ws("w"), [.text(line)])
    #expect(talk.replies.first?.last?.type == "complete", "\(talk.replies)")
    #expect(try await Self.lastUserMessage(key).contains(Self.pngBase64))

    let over =
      #"{"message":"look","attachments":["data:image/png;base64,"#
      + Base64.encode(Self.png + Array(repeating: 0, count: 4096)) + #""]}"#
    let refused = try await SeedClient.talk(server.ws("w"), [.text(over)])
    guard case .error(let failure)? = refused.replies.first?.last?.payload else {
      Issue.record("no error for a message over the limit: \(refused.replies)")
      return
    }
    #expect(failure.message.hasSuffix("the limit is 4096 (--max-message-bytes)") && failure.code == .badInput)
    #expect(try await Self.fake.requests(key: key).count == 1, "the message over the limit was not sent on")
  }
}

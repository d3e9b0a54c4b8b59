import Foundation
import TGPTEvents
import Testing

@testable import TGPTSession

@Suite struct ResponseCacheTests {
  @Test func contentHashesAreSHA256InLowercaseHex() {
    #expect(ContentHash.sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(ContentHash.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      ContentHash.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      ContentHash.sha256(Array(repeating: UInt8(ascii: "a"), count: 1_000_000))
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  static func scratch() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-cache-\(UUID().uuidString)/cache.sqlite").path
  }

  @Test func entriesAreFreshForTheirTTLOnly() async throws {
    let cache = try ResponseCache(path: Self.scratch())
    let answer = CachedAnswer(content: "42", model: "m", finishReason: "stop", usage: Usage(promptTokens: 3))
    try await cache.save(key: "k", principal: "p", answer: answer, ttlMs: 1000, now: 10_000)
    #expect(try await cache.lookup(key: "k", principal: "p", ttlMs: 1000, now: 10_999) == answer)
    #expect(try await cache.lookup(key: "k", principal: "p", ttlMs: 1000, now: 11_000) == nil)
    // A shorter TTL asked at lookup wins over the one it was kept with.
    #expect(try await cache.lookup(key: "k", principal: "p", ttlMs: 10, now: 10_500) == nil)
    let stats = try await cache.stats(principal: "p")
    #expect(stats.hits == 1 && stats.misses == 2 && stats.entries == 1)
  }

  @Test func theOldestGoFirstPastTheBounds() async throws {
    let cache = try ResponseCache(path: Self.scratch(), maxEntries: 3, maxBytes: 1 << 20)
    for n in 0..<5 {
      try await cache.save(
        key: "k\(n)", principal: "p", answer: CachedAnswer(content: "\(n)"), ttlMs: 60_000, now: 1000 + Int64(n))
    }
    #expect(try await cache.stats(principal: nil).entries == 3)
    #expect(try await cache.lookup(key: "k1", principal: "p", ttlMs: 60_000, now: 2000) == nil)
    #expect(try await cache.lookup(key: "k4", principal: "p", ttlMs: 60_000, now: 2000)?.content == "4")
    let small = try ResponseCache(path: Self.scratch(), maxEntries: 100, maxBytes: 100)
    for n in 0..<5 {
      try await small.save(
        key: "k\(n)", principal: "p", answer: CachedAnswer(content: String(repeating: "x", count: 40)), ttlMs: 60_000,
        now: 1000 + Int64(n))
    }
    let stats = try await small.stats(principal: nil)
    #expect(stats.bytes <= 100 && stats.entries == 1)
  }

  @Test func aFileThatIsNotACacheIsRefused() throws {
    let path = Self.scratch()
    let directory = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try String(repeating: "garbage ", count: 200).write(toFile: path, atomically: true, encoding: .utf8)
    #expect(throws: StoreError.self) { try ResponseCache(path: path) }
  }
}

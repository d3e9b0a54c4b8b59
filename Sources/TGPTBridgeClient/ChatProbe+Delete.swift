import HTTPTypes
import Logging
import NIOWebSocket
import TGPTBridge
import TGPTEvents
import WSClient
import WSCompression

extension ChatProbe {
  /// The client settings of a probe: frame limit, compression, the token.
  static func configuration(token: String?) -> WebSocketClientConfiguration {
    var configuration = WebSocketClientConfiguration(
      maxFrameSize: 16 << 20, extensions: [.perMessageDeflate(maxDecompressedFrameSize: 16 << 20)])
    if let token { configuration.additionalHeaders[.authorization] = "Bearer \(token)" }
    return configuration
  }

  /// Asks for the connection's session to be deleted and reads to the answer's end; whether
  /// the server said `deleted`. A server over its rate limit is asked again, a few times.
  static func requestDeletion(
    _ iterator: inout WebSocketInboundMessageStream.AsyncIterator, _ outbound: WebSocketOutboundWriter
  ) async throws -> Bool {
    var writer = JSONWriter()
    writer.value(DeleteRequest(id: "delete").json)
    let request = String(decoding: writer.bytes, as: UTF8.self)
    for attempt in 1...5 {
      try await outbound.write(.text(request))
      var deleted = false
      var tags: EventTags?
      while tags?.isTerminal != true, let message = try await iterator.next() {
        guard case .text(var line) = message else { continue }
        tags = line.withUTF8 { EventTags.read(UnsafeRawBufferPointer($0)) }
        if tags?.type == "deleted" { deleted = true }
      }
      guard tags?.code == ErrorKind.rateLimited.rawValue, attempt < 5 else {
        return deleted && tags?.type == "complete"
      }
      try await Task.sleep(for: .seconds(1))
    }
    return false
  }

  /// Deletes the session of `url` on a connection of its own, within 15 s: the clean-up after
  /// a conversation that failed, timed out or was stopped. A turn of the session still running
  /// on the server ends first (its connection is gone, so the server cancels it).
  static func delete(url: String, token: String?, logger: Logger) async -> Bool {
    let fixed = configuration(token: token)
    let deleted = Guarded(false)
    let work = Task {
      _ = try await WebSocketClient.connect(url: url, configuration: fixed, logger: logger) { inbound, outbound, _ in
        var iterator = inbound.messages(maxSize: 16 << 20).makeAsyncIterator()
        let done = try await requestDeletion(&iterator, outbound)
        deleted.withLock { $0 = done }
        try await outbound.close(.normalClosure, reason: nil)
        while try await iterator.next() != nil {}
      }
    }
    let timer = Task {
      try await Task.sleep(for: .seconds(15))
      work.cancel()
    }
    defer { timer.cancel() }
    _ = try? await work.value
    return deleted.withLock { $0 }
  }
}

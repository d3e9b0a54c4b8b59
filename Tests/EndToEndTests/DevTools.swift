import Foundation
import Logging
import NIOCore
import NIOWebSocket
import TGPTEvents
import WSClient

/// A client of the Chrome DevTools Protocol over one WebSocket: each command goes out with an
/// id and comes back as the result (or error) of that id; commands to a page carry the
/// `sessionId` of a flat attachment. Events are not kept: the tests look at the page instead.
final class DevTools: Sendable {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// A command waiting for its answer.
  private struct Waiter {
    let continuation: CheckedContinuation<JSON, any Error>
    let method: String
    let deadline: ContinuousClock.Instant
  }

  private struct State {
    var nextID = 0
    var waiting: [Int: Waiter] = [:]
    var closed: String?
  }

  private let state = Guarded(State())
  private let outgoing: AsyncStream<String>.Continuation
  private let outgoingStream: AsyncStream<String>
  private let connection = Guarded<Task<Void, Never>?>(nil)
  private let watchdog = Guarded<Task<Void, Never>?>(nil)

  private init() {
    (outgoingStream, outgoing) = AsyncStream.makeStream(of: String.self)
  }

  /// Connects to `url` (`ws://127.0.0.1:PORT/devtools/browser/…`) and returns once connected.
  static func connect(_ url: String) async throws -> DevTools {
    let client = DevTools()
    let opened = Opened()
    let task = Task {
      do {
        // Screenshots come back as one message of a few MiB of base64.
        try await WebSocketClient.connect(
          url: url, configuration: .init(maxFrameSize: 64 << 20), logger: Logger(label: "devtools")
        ) { inbound, outbound, _ in
          opened.resume(nil)
          try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
              for await text in client.outgoingStream { try await outbound.write(.text(text)) }
            }
            for try await message in inbound.messages(maxSize: 64 << 20) {
              if case .text(let text) = message { client.received(text) }
            }
            group.cancelAll()
          }
        }
        client.end("the DevTools connection closed")
        opened.resume(Failure(description: "DevTools at \(url) closed at once"))
      } catch {
        client.end("the DevTools connection failed: \(error)")
        opened.resume(Failure(description: "cannot connect to DevTools at \(url): \(error)"))
      }
    }
    client.connection.withLock { $0 = task }
    client.watchdog.withLock {
      $0 = Task { [weak client] in
        while !Task.isCancelled {
          try? await Task.sleep(for: .seconds(1))
          client?.failOverdue()
        }
      }
    }
    try await opened.wait()
    return client
  }

  /// Sends `method` with `params` (to the page of `session`, when given) and returns its
  /// result; a protocol error, or no answer within two minutes, throws.
  @discardableResult func send(_ method: String, _ params: JSON = [:], session: String? = nil) async throws -> JSON {
    try await withCheckedThrowingContinuation { continuation in
      let id = state.withLock { state -> Int? in
        if state.closed != nil { return nil }
        state.nextID += 1
        state.waiting[state.nextID] = Waiter(
          continuation: continuation, method: method, deadline: .now + .seconds(120))
        return state.nextID
      }
      guard let id else {
        continuation.resume(throwing: Failure(description: "\(method): \(state.withLock { $0.closed ?? "" })"))
        return
      }
      var command = JSONObject([("id", .int(id)), ("method", .string(method)), ("params", params)])
      if let session { command["sessionId"] = .string(session) }
      outgoing.yield(JSON.object(command).compactText)
    }
  }

  /// Closes the connection (the browser goes on until it is killed).
  func close() {
    outgoing.finish()
    connection.withLock { $0?.cancel() }
    watchdog.withLock { $0?.cancel() }
    end("closed")
  }

  private func received(_ text: String) {
    guard let message = try? JSON.parse(text), let id = message["id"]?.intValue else { return }
    let waiter = state.withLock { $0.waiting.removeValue(forKey: id) }?.continuation
    if let error = message["error"] {
      waiter?.resume(throwing: Failure(description: "DevTools error: \(error.compactText)"))
    } else {
      waiter?.resume(returning: message["result"] ?? .null)
    }
  }

  /// Fails the commands Chromium has not answered within their two minutes.
  private func failOverdue() {
    let now = ContinuousClock.now
    let overdue = state.withLock { state -> [Waiter] in
      let ids = state.waiting.filter { $0.value.deadline < now }.map(\.key)
      return ids.compactMap { state.waiting.removeValue(forKey: $0) }
    }
    for waiter in overdue {
      waiter.continuation.resume(
        throwing: Failure(description: "\(waiter.method): no answer from Chromium within two minutes"))
    }
  }

  private func end(_ why: String) {
    let waiting = state.withLock { state in
      state.closed = state.closed ?? why
      defer { state.waiting = [:] }
      return Array(state.waiting.values)
    }
    for waiter in waiting { waiter.continuation.resume(throwing: Failure(description: why)) }
  }
}

/// The moment a connection opened (or failed to), awaited once.
private final class Opened: Sendable {
  private let state = Guarded<(done: Bool, error: (any Error)?, waiter: CheckedContinuation<Void, any Error>?)>(
    (false, nil, nil))

  func resume(_ error: (any Error)?) {
    let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
      guard !state.done else { return nil }
      state.done = true
      state.error = error
      defer { state.waiter = nil }
      return state.waiter
    }
    if let error { waiter?.resume(throwing: error) } else { waiter?.resume() }
  }

  func wait() async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
      let outcome = state.withLock { state -> (done: Bool, error: (any Error)?) in
        if !state.done { state.waiter = continuation }
        return (state.done, state.error)
      }
      guard outcome.done else { return }
      if let error = outcome.error { continuation.resume(throwing: error) } else { continuation.resume() }
    }
  }
}

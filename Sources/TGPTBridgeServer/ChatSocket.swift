import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import TGPTBridge
import TGPTEvents

/// One WebSocket connection on `/ws/chat/{session_id}`: messages in, relayed to the child;
/// the child's events for them out, in order, each as one text frame.
struct ChatSocket {
  let relay: ChildRelay
  let settings: ServerSettings
  let registry: ConnectionRegistry
  let logger: Logger

  func run(
    sessionID: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel
  ) async {
    let connection = relay.connect(sessionID: sessionID)
    relay.metrics.recordConnectionOpened()
    registry.add(connection)
    defer {
      registry.remove(connection)
      relay.metrics.recordConnectionClosed()
    }
    let activity = ActivityClock()
    // Whichever ends first ends the connection: the client closing (receive), the events
    // ending (send: a shutdown), the client falling too far behind, or the idle timeout.
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await send(connection, outbound) }
      group.addTask { await watchIdle(connection, activity, outbound) }
      group.addTask { await receive(inbound, connection, activity) }
      group.addTask { await dropWhenStuck(connection, outbound, channel) }
      await group.next()
      connection.close()
      group.cancelAll()
    }
  }

  /// Writes the connection's events as they come; at a shutdown, the queued ones, then 1001.
  private func send(_ connection: RelayConnection, _ outbound: WebSocketOutboundWriter) async {
    for await line in connection.events {
      do {
        // The child's bytes as they are: no String to build and validate per event.
        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: line))))
      } catch {
        return
      }
    }
    if connection.goingAway { try? await outbound.close(.goingAway, reason: "server shutting down") }
    // An overflow is dropWhenStuck's to handle; ending here would cancel it.
    if connection.overflowed { try? await Task.sleep(for: .seconds(2)) }
  }

  /// A client that does not read its events: once its queue overflows it is sent a 1008 close,
  /// and if even that cannot be written within a second (its socket buffer is full, so every
  /// write waits), the connection is dropped.
  private func dropWhenStuck(_ connection: RelayConnection, _ outbound: WebSocketOutboundWriter, _ channel: any Channel)
    async
  {
    for await _ in connection.overflow {
      logger.warning("closing connection \(connection.number): the client is not reading its events")
      relay.metrics.recordError(code: "slow_client")
      let closing = Task { try? await outbound.close(.policyViolation, reason: "too slow: events are not being read") }
      try? await Task.sleep(for: .seconds(1))
      closing.cancel()
      try? await channel.close()
      return
    }
    // The stream ended without an overflow: the connection closed; nothing to do.
    try? await Task.sleep(for: .seconds(1 << 40))
  }

  /// Reads messages, answering bad ones with an `error` event and relaying the rest.
  private func receive(_ inbound: WebSocketInboundStream, _ connection: RelayConnection, _ activity: ActivityClock)
    async
  {
    var limiter = RateLimiter(perSecond: settings.ratePerSecond, burst: settings.rateBurst)
    var message: [UInt8] = []
    var size = 0
    var binary = false
    do {
      for try await frame in inbound {
        switch frame.opcode {
        case .text, .binary:
          message.removeAll(keepingCapacity: true)
          size = 0
          binary = frame.opcode == .binary
        case .continuation: break
        }
        size += frame.data.readableBytes
        if size <= settings.maxMessageBytes, !binary {
          message.append(contentsOf: frame.data.readableBytesView)
        }
        guard frame.fin else { continue }
        activity.touch()
        handle(message, binary: binary, size: size, connection, &limiter)
      }
    } catch {
      logger.debug("connection \(connection.number) ended: \(error)")
    }
  }

  private func handle(
    _ bytes: [UInt8], binary: Bool, size: Int, _ connection: RelayConnection, _ limiter: inout RateLimiter
  ) {
    switch MessageIntake.read(text: bytes, binary: binary, totalBytes: size, maxBytes: settings.maxMessageBytes) {
    case .relay(let input):
      // A cancel only ends work already counted; it is never refused.
      if case .cancel = input {
        relay.submit(input, on: connection)
        return
      }
      guard limiter.allow() else {
        let failure = Event.Failure(
          message: "too many messages: the limit is \(settings.ratePerSecond)/s per connection", code: .rateLimited,
          retryable: true)
        reject(failure, id: input.id, connection)
        return
      }
      relay.submit(input, on: connection)
    case .reject(let failure, let id):
      reject(failure, id: id, connection)
    }
  }

  private func reject(_ failure: Event.Failure, id: String?, _ connection: RelayConnection) {
    relay.metrics.recordError(code: failure.code.rawValue)
    connection.deliver(Event(.error(failure), id: id, sessionID: connection.sessionID).lineWithoutNewline)
  }

  /// Closes a connection that has had nothing in flight and no message for the idle timeout.
  private func watchIdle(_ connection: RelayConnection, _ activity: ActivityClock, _ outbound: WebSocketOutboundWriter)
    async
  {
    let timeout = settings.idleTimeout
    let step = min(timeout / 4, .seconds(5))
    while !Task.isCancelled {
      try? await Task.sleep(for: step)
      if connection.inFlight > 0 { activity.touch() }
      if activity.idle >= timeout {
        try? await outbound.close(.goingAway, reason: "idle timeout")
        return
      }
    }
  }
}

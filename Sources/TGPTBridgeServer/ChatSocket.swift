import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import TGPTBridge
import TGPTEvents
import TGPTWebSocketDeflate

/// One WebSocket connection on `/ws/chat/{session_id}`: messages in, relayed to the child;
/// the child's events for them out, in order, each as one text frame.
struct ChatSocket {
  let relay: ChildRelay
  let settings: ServerSettings
  let registry: ConnectionRegistry
  let limits: SharedRateLimits
  let logger: Logger
  /// How long a client's events may wait unread (the relay's setting).
  let stallTimeout: Duration
  /// Who is talking, for the shared rate limits.
  let address: String?
  let token: String?
  /// Whether the client offered permessage-deflate: long lines then go through the library's
  /// writer, which compresses them (see `EventFrameWriter`).
  let deflate: Bool

  func run(
    sessionID: String, principal: String?, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
    channel: any Channel
  ) async {
    let connection: RelayConnection
    do {
      connection = try relay.connect(sessionID: sessionID, principal: principal)
    } catch {
      await ChatServer.refuse(inbound, outbound, with: error.failure, close: .init(codeNumber: 1013), reason: "quota")
      return
    }
    relay.metrics.recordConnectionOpened()
    registry.add(connection)
    defer {
      registry.remove(connection)
      relay.metrics.recordConnectionClosed()
    }
    let writer = await EventFrameWriter.install(
      on: channel, for: connection, compressibleSize: deflate ? LimitedDeflate.minimumCompressedSize : .max)
    let activity = ActivityClock()
    // Whichever ends first ends the connection: the client closing or breaking the protocol
    // (receive), the events ending (send: a shutdown), the client falling too far behind, or
    // the idle timeout. The stuck-client watch ends quietly when the connection closes.
    await withTaskGroup(of: Bool.self) { group in
      group.addTask { await send(connection, outbound, writer) }
      group.addTask { await watchIdle(connection, activity, outbound) }
      group.addTask { await receive(inbound, outbound, connection, activity) }
      group.addTask { await dropWhenStuck(connection, outbound, channel) }
      while let endsConnection = await group.next(), !endsConnection {}
      connection.close()
      group.cancelAll()
    }
    // Turns nobody will read are not paid for: those not started never are, the rest stop.
    relay.abandon(connection)
  }

  /// Writes the connection's events as they come (with a writer in the pipeline, only the long
  /// lines it passes on); at a shutdown, the queued ones, then 1001.
  private func send(_ connection: RelayConnection, _ outbound: WebSocketOutboundWriter, _ writer: EventFrameWriter?)
    async -> Bool
  {
    for await line in connection.events {
      do {
        // The child's bytes as they are: no String to build and validate per event. The write
        // waits while the socket's buffer is full, so a client's reading paces this loop.
        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: line))))
        connection.taken(line.count)
        writer?.resume()
      } catch {
        return true
      }
    }
    if connection.goingAway { try? await outbound.close(.goingAway, reason: "server shutting down") }
    if connection.revoked { try? await outbound.close(.policyViolation, reason: "token revoked") }
    // An overflow is dropWhenStuck's to handle.
    return !connection.overflowed
  }

  /// A client that does not read its events: once it counts as stuck it is sent a 1008 close,
  /// and if even that cannot be written within a second (its socket buffer is full, so every
  /// write waits), the connection is dropped. False when the connection closed otherwise.
  private func dropWhenStuck(_ connection: RelayConnection, _ outbound: WebSocketOutboundWriter, _ channel: any Channel)
    async -> Bool
  {
    for await _ in connection.overflow {
      logger.warning(
        "closing connection \(connection.number): the client has not read its events (\(connection.queuedBytes) bytes waiting)"
      )
      relay.metrics.recordError(code: "slow_client")
      let closing = Task { try? await outbound.close(.policyViolation, reason: "too slow: events are not being read") }
      try? await Task.sleep(for: .seconds(1))
      closing.cancel()
      try? await channel.close()
      return true
    }
    return false
  }

  /// Reads messages, answering bad ones with an `error` event and relaying the rest. A client
  /// that breaks RFC 6455's framing is closed with 1002, invalid UTF-8 in a text message with
  /// 1007.
  private func receive(
    _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ connection: RelayConnection,
    _ activity: ActivityClock
  ) async -> Bool {
    var assembly = MessageAssembly(maxBytes: settings.maxMessageBytes)
    do {
      for try await frame in inbound {
        switch assembly.add(frame) {
        case .incomplete: continue
        case .violation(let code, let reason):
          relay.metrics.recordError(code: "protocol")
          try? await outbound.close(code, reason: reason)
          return true
        case .message(let bytes, let binary, let size):
          activity.touch()
          handle(bytes, binary: binary, size: size, connection)
        }
      }
    } catch {
      logger.debug("connection \(connection.number) ended: \(error)")
    }
    return true
  }

  private func handle(_ bytes: [UInt8], binary: Bool, size: Int, _ connection: RelayConnection) {
    switch MessageIntake.read(text: bytes, binary: binary, totalBytes: size, maxBytes: settings.maxMessageBytes) {
    case .relay(let input):
      // A cancel only ends work already counted; it is never refused.
      if case .cancel = input {
        relay.submit(input, on: connection)
        return
      }
      if let refusal = limits.take(address: address, token: token) {
        reject(MessageIntake.rateLimited(refusal, settings: settings), id: input.id, connection)
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

  /// Closes a connection that has had nothing in flight and no message for the idle timeout;
  /// also notices a client whose events wait unread past the stall timeout when no new event
  /// comes to show it.
  private func watchIdle(_ connection: RelayConnection, _ activity: ActivityClock, _ outbound: WebSocketOutboundWriter)
    async -> Bool
  {
    let timeout = settings.idleTimeout
    let step = min(timeout / 4, stallTimeout / 2, .seconds(5))
    while !Task.isCancelled {
      try? await Task.sleep(for: step)
      connection.checkStall()
      if connection.inFlight > 0 { activity.touch() }
      if activity.idle >= timeout {
        try? await outbound.close(.goingAway, reason: "idle timeout")
        return true
      }
    }
    return true
  }
}

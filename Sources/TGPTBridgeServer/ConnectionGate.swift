import HummingbirdCore
import Logging
import NIOCore
import TGPTBridge
import TGPTEvents

/// Keeps connections that send nothing from using up the server's file descriptors.
///
/// Every new TCP connection must send a complete request head within the header timeout, or
/// it is closed. Connections still waiting for their head are counted, and when there are
/// `maxWaiting` of them the oldest is closed to make room: silent or half-sent connections can
/// never crowd out clients that speak (nor `/healthz`). Together with the cap on all open
/// connections (below the open-file limit, with room kept for the listening socket, the child's
/// pipes and the store), the server never runs out of descriptors.
final class ConnectionGate: Sendable {
  private struct State {
    var waiting: [Int: any Channel] = [:]
    var nextID = 0
  }

  let headerTimeout: Duration
  let maxWaiting: Int
  private let state = Guarded(State())
  private let onEvict: @Sendable () -> Void

  init(headerTimeout: Duration, maxWaiting: Int, onEvict: @escaping @Sendable () -> Void) {
    self.headerTimeout = headerTimeout
    self.maxWaiting = max(1, maxWaiting)
    self.onEvict = onEvict
  }

  /// Starts `channel`'s header clock; on its event loop, before the HTTP handlers are added.
  func admit(_ channel: any Channel) throws {
    let (id, evicted) = state.withLock { state -> (Int, (any Channel)?) in
      var evicted: (any Channel)?
      if state.waiting.count >= maxWaiting, let oldest = state.waiting.keys.min() {
        evicted = state.waiting.removeValue(forKey: oldest)
      }
      state.nextID += 1
      state.waiting[state.nextID] = channel
      return (state.nextID, evicted)
    }
    if let evicted {
      onEvict()
      evicted.close(promise: nil)
    }
    do {
      try channel.pipeline.syncOperations.addHandler(RequestHeadDeadline(gate: self, id: id))
    } catch {
      // Never added, so never removed: its place is given back here.
      headRead(id)
      throw error
    }
  }

  fileprivate func headRead(_ id: Int) { state.withLock { _ = $0.waiting.removeValue(forKey: id) } }
}

/// Closes the connection unless a whole request head arrives within the gate's header
/// timeout; once it has, steps out of the pipeline — for a WebSocket upgrade, in favour of
/// `MaskedFramesOnly`.
private final class RequestHeadDeadline: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer

  private let gate: ConnectionGate
  private let id: Int
  private var timer: Scheduled<Void>?
  private var scanner = RequestHeadScanner()

  init(gate: ConnectionGate, id: Int) {
    self.gate = gate
    self.id = id
  }

  func handlerAdded(context: ChannelHandlerContext) {
    let channel = context.channel
    timer = context.eventLoop.scheduleTask(in: .init(gate.headerTimeout)) { channel.close(promise: nil) }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    timer?.cancel()
    gate.headRead(id)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard case .ended(let headBytes) = scanner.scan(unwrapInboundIn(data).readableBytesView) else {
      return context.fireChannelRead(data)
    }
    if scanner.asksForWebSocket {
      // The frames that follow in this read are checked too; the head's bytes are not frames.
      try? context.pipeline.syncOperations.addHandler(MaskedFramesOnly(skipping: headBytes), position: .after(self))
    }
    context.fireChannelRead(data)
    context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
  }
}

/// A server child channel with its connections admitted through a `ConnectionGate` first.
struct GatedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
  typealias Value = Base.Value
  let base: Base
  let gate: ConnectionGate

  func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
    do {
      try gate.admit(channel)
    } catch {
      return channel.eventLoop.makeFailedFuture(error)
    }
    return base.setup(channel: channel, logger: logger)
  }

  func handle(value: Value, logger: Logger) async { await base.handle(value: value, logger: logger) }
}

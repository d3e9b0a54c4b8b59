import HummingbirdCore
import Logging
import NIOCore
import Synchronization

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
  private let state = Mutex(State())
  private let onEvict: @Sendable () -> Void

  init(headerTimeout: Duration, maxWaiting: Int, onEvict: @escaping @Sendable () -> Void = {}) {
    self.headerTimeout = headerTimeout
    self.maxWaiting = max(1, maxWaiting)
    self.onEvict = onEvict
  }

  /// Connections that have not yet sent a whole request head.
  var waitingCount: Int { state.withLock { $0.waiting.count } }

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
    try channel.pipeline.syncOperations.addHandler(RequestHeadDeadline(gate: self, id: id))
  }

  fileprivate func headRead(_ id: Int) { state.withLock { _ = $0.waiting.removeValue(forKey: id) } }
}

/// Closes the connection unless a whole request head (up to the blank line) arrives within
/// the gate's header timeout; once it has, steps out of the pipeline — for a WebSocket upgrade,
/// in favour of `MaskedFramesOnly`.
private final class RequestHeadDeadline: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer

  private let gate: ConnectionGate
  private let id: Int
  private var timer: Scheduled<Void>?
  /// The last four bytes seen, to find the head's end across reads.
  private var lastBytes: UInt32 = 0
  /// The head so far (its first 16 KiB), to see whether it asks for a WebSocket.
  private var head: [UInt8] = []

  init(gate: ConnectionGate, id: Int) {
    self.gate = gate
    self.id = id
  }

  func handlerAdded(context: ChannelHandlerContext) {
    let channel = context.channel
    timer = context.eventLoop.scheduleTask(in: ChatServer.timeAmount(gate.headerTimeout)) {
      channel.close(promise: nil)
    }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    timer?.cancel()
    gate.headRead(id)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let bytes = unwrapInboundIn(data).readableBytesView
    var headEnd: Int?
    for (offset, byte) in bytes.enumerated() {
      lastBytes = lastBytes << 8 | UInt32(byte)
      // CRLF CRLF, or the bare LF LF that lenient parsers accept.
      if lastBytes == 0x0D0A_0D0A || lastBytes & 0xFFFF == 0x0A0A {
        headEnd = offset + 1
        break
      }
    }
    if head.count < 16 << 10 { head.append(contentsOf: bytes.prefix(min(headEnd ?? bytes.count, 16 << 10))) }
    guard let headEnd else { return context.fireChannelRead(data) }
    if Self.asksForWebSocket(head) {
      // The frames that follow in this read are checked too; the head's bytes are not frames.
      let check = MaskedFramesOnly(skipping: headEnd)
      try? context.pipeline.syncOperations.addHandler(check, position: .after(self))
    }
    context.fireChannelRead(data)
    context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
  }

  static func asksForWebSocket(_ head: [UInt8]) -> Bool {
    String(decoding: head, as: UTF8.self).lowercased().contains("websocket")
  }
}

/// Fails a WebSocket connection whose client sends a frame without a mask (RFC 6455 §5.1: a
/// server MUST close it; swift-websocket unmasks what it gets and cannot tell). Reads only
/// frame headers, skipping payloads: it sends a 1002 close and closes the connection.
final class MaskedFramesOnly: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer
  typealias OutboundOut = ByteBuffer

  /// Bytes to pass unread: the rest of the request head, then each frame's payload.
  private var skip: Int
  /// The header of the frame being read.
  private var header: [UInt8] = []
  private var failed = false

  init(skipping: Int) { skip = skipping }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !failed else { return }
    let bytes = unwrapInboundIn(data).readableBytesView
    var index = bytes.startIndex
    while index < bytes.endIndex {
      if skip > 0 {
        let step = min(skip, bytes.endIndex - index)
        skip -= step
        index += step
        continue
      }
      header.append(bytes[index])
      index += 1
      guard header.count >= 2 else { continue }
      guard header[1] & 0x80 != 0 else { return fail(context) }
      let short = Int(header[1] & 0x7F)
      let extra = short == 126 ? 2 : short == 127 ? 8 : 0
      guard header.count == 2 + extra + 4 else { continue }
      skip = extra == 0 ? short : Int(clamping: header[2..<2 + extra].reduce(UInt64(0)) { $0 &<< 8 | UInt64($1) })
      header.removeAll(keepingCapacity: true)
    }
    context.fireChannelRead(data)
  }

  private func fail(_ context: ChannelHandlerContext) {
    failed = true
    // Close 1002 (protocol error), written unmasked as servers do, then the connection.
    let close = ByteBuffer(bytes: [0x88, 0x02, 0x03, 0xEA])
    let channel = context.channel
    context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in channel.close(promise: nil) }
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

import NIOCore
import NIOWebSocket
import TGPTBridge
import TGPTEvents

/// Writes a WebSocket connection's event lines as text frames, one per event, straight from
/// its channel's event loop: the lines the relay's reader thread queues are written there, as
/// many as wait, with one flush. No task, actor or async writer is woken per event, and a
/// burst costs one system call.
///
/// It sits in the pipeline just after the frame encoder, so every frame the WebSocket
/// library's own writer sends (pings, pongs, close, the long lines) passes through it: once a
/// Close has gone by, no data frame follows (RFC 6455 §5.5.1). Lines of `compressibleSize`
/// bytes or more are passed on (`RelayConnection.passOn`) to the library's writer, where
/// permessage-deflate compresses them, and the lines behind wait for `resume()`, so the order
/// holds; shorter ones the extension sends uncompressed anyway.
///
/// Fairness and backpressure: while the socket's buffer is full (the channel not writable) it
/// writes nothing and the lines wait in the connection's queue (which `RelayConnection` bounds:
/// a stuck client is dropped); and one connection writes at most `burstBytes` before the other
/// connections of its event loop have their turn, so a long backlog never holds up another
/// connection's first chunk.
final class EventFrameWriter: ChannelDuplexHandler, RelayEventSink, @unchecked Sendable {
  typealias InboundIn = ByteBuffer
  typealias OutboundIn = WebSocketFrame
  typealias OutboundOut = WebSocketFrame

  /// The most bytes one connection writes before letting the others of its loop go first.
  static let burstBytes = 64 << 10
  /// Room left before each line for the frame's header (2 bytes, + 8 for the longest
  /// lengths; a server's frames are not masked): the encoder writes it there, so a frame is
  /// one buffer, with no header buffer to allocate and no second piece to write.
  static let headroom = 10

  private enum Ending { case afterQueued, now }

  /// What the reader thread and the loop share.
  private struct Shared {
    var lines: [[UInt8]] = []
    /// Whether a drain is queued on the loop.
    var scheduled = false
    var ending: Ending?
  }

  private let connection: RelayConnection
  private let eventLoop: any EventLoop
  private let drains: LoopDrains
  private let compressibleSize: Int
  private let shared = Guarded(Shared())
  // The rest only on the event loop (why this is @unchecked Sendable).
  private var context: ChannelHandlerContext?
  private var backlog = CircularBuffer<[UInt8]>()
  /// A long line is with the library's writer: the next ones wait for `resume()`.
  private var waitingForLibrary = false
  /// A Close went out, or the channel went away: nothing more is written.
  private var closed = false
  private var finished = false

  init(connection: RelayConnection, eventLoop: any EventLoop, compressibleSize: Int) {
    self.connection = connection
    self.eventLoop = eventLoop
    drains = LoopDrains.of(eventLoop)
    self.compressibleSize = compressibleSize
  }

  /// Puts a writer for `connection` in `channel`'s pipeline, after the frame encoder, and has
  /// the connection's lines go to it; nil when there is no encoder to put it after (the lines
  /// then go through `events` and the library's writer, one task wake-up each, as before).
  static func install(on channel: any Channel, for connection: RelayConnection, compressibleSize: Int) async
    -> EventFrameWriter?
  {
    let writer = EventFrameWriter(
      connection: connection, eventLoop: channel.eventLoop, compressibleSize: compressibleSize)
    do {
      try await channel.eventLoop.submit {
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(writer, position: .after(try pipeline.handler(type: WebSocketFrameEncoder.self)))
      }.get()
    } catch {
      return nil
    }
    connection.attach(writer)
    return writer
  }

  // MARK: RelayEventSink (any thread)

  func enqueue(_ line: [UInt8]) {
    let schedule = shared.withLock { shared in
      shared.lines.append(line)
      return Self.schedule(&shared)
    }
    if schedule { drains.schedule(self) }
  }

  func end(afterQueued: Bool) {
    let schedule = shared.withLock { shared in
      if shared.ending != .now { shared.ending = afterQueued ? .afterQueued : .now }
      return Self.schedule(&shared)
    }
    if schedule { drains.schedule(self) }
  }

  /// The long line passed on has been written by the library's writer: go on.
  func resume() {
    eventLoop.execute {
      self.waitingForLibrary = false
      self.drain()
    }
  }

  private static func schedule(_ shared: inout Shared) -> Bool {
    guard !shared.scheduled else { return false }
    shared.scheduled = true
    return true
  }

  // MARK: On the event loop

  /// Writes what waits (see the type's description); on the event loop.
  func drain() {
    let (lines, ending) = shared.withLock { shared in
      shared.scheduled = false
      // Taken, not copied: a copy then `removeAll` would allocate on every drain.
      var taken: [[UInt8]] = []
      swap(&taken, &shared.lines)
      return (taken, shared.ending)
    }
    backlog.append(contentsOf: lines)
    if ending == .now || closed { return stop() }
    // Not yet in the pipeline (handlerAdded drains), or waiting for `resume()`.
    guard let context, !waitingForLibrary else { return }
    var written = 0
    while let line = backlog.first {
      if line.count >= compressibleSize {
        backlog.removeFirst()
        waitingForLibrary = true
        connection.passOn(line)
        break
      }
      // A full socket buffer: channelWritabilityChanged goes on.
      guard context.channel.isWritable, written < Self.burstBytes else { break }
      var buffer = context.channel.allocator.buffer(capacity: Self.headroom + line.count)
      buffer.moveWriterIndex(forwardBy: Self.headroom)
      buffer.moveReaderIndex(forwardBy: Self.headroom)
      buffer.writeBytes(line)
      context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
      written += line.count
      backlog.removeFirst()
    }
    if written > 0 {
      context.flush()
      connection.taken(written)
    }
    if backlog.isEmpty {
      if ending == .afterQueued, !waitingForLibrary { finish() }
    } else if written >= Self.burstBytes, !waitingForLibrary, context.channel.isWritable {
      // The other connections of this loop first, then the rest.
      if shared.withLock({ Self.schedule(&$0) }) { drains.schedule(self) }
    }
  }

  /// Nothing more will be written: the lines waiting are dropped, the events end.
  private func stop() {
    closed = true
    backlog.removeAll()
    finish()
  }

  private func finish() {
    guard !finished else { return }
    finished = true
    connection.finishEvents()
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    drain()
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
    stop()
  }

  func channelInactive(context: ChannelHandlerContext) {
    stop()
    context.fireChannelInactive()
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    context.fireChannelWritabilityChanged()
    // Not a drain here: NIO reports writability again inside the flush of a drain, and
    // draining from there would write the whole backlog in nested drains, ahead of the other
    // connections of this loop. Queued, it takes its turn.
    if context.channel.isWritable, shared.withLock({ Self.schedule(&$0) }) { drains.schedule(self) }
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    if unwrapOutboundIn(data).opcode == .connectionClose { stop() }
    context.write(data, promise: promise)
  }
}

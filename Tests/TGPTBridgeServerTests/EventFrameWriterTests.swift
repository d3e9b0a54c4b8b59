import NIOCore
import NIOEmbedded
import NIOWebSocket
import TGPTBridge
import Testing

@testable import TGPTBridgeServer

/// What reached the head of some channels' pipelines, in order, over all of them (they share
/// one embedded event loop, so there is one order).
final class WireLog: @unchecked Sendable {
  enum Entry: Equatable {
    case frame(String, String)
    case close(String)
    case flush(String)
  }
  var entries: [Entry] = []

  /// The texts of `name`'s data frames, in order.
  func frames(_ name: String) -> [String] {
    entries.compactMap { if case .frame(name, let text) = $0 { text } else { nil } }
  }
}

/// Logs what a channel writes and flushes, as the socket would see it.
final class Wire: ChannelOutboundHandler {
  typealias OutboundIn = WebSocketFrame
  let name: String
  let log: WireLog

  init(_ name: String, _ log: WireLog) {
    self.name = name
    self.log = log
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    let frame = unwrapOutboundIn(data)
    log.entries.append(
      frame.opcode == .connectionClose ? .close(name) : .frame(name, String(buffer: frame.unmaskedData)))
    context.write(data, promise: promise)
  }

  func flush(context: ChannelHandlerContext) {
    log.entries.append(.flush(name))
    context.flush()
  }
}

struct Client {
  let channel: EmbeddedChannel
  let connection: RelayConnection
  let writer: EventFrameWriter

  init(_ name: String, _ loop: EmbeddedEventLoop, _ log: WireLog, compressibleSize: Int = .max) throws {
    connection = RelayConnection(sessionID: "s", principal: nil, number: 1, limits: .init())
    channel = EmbeddedChannel(loop: loop)
    writer = EventFrameWriter(connection: connection, eventLoop: loop, compressibleSize: compressibleSize)
    try channel.pipeline.syncOperations.addHandlers([Wire(name, log), writer])
    connection.attach(writer)
  }

  func deliver(_ text: String) { connection.deliver(Array(text.utf8)) }

  /// A frame written by the WebSocket library's own writer (it comes down the pipeline).
  func libraryWrites(_ frame: WebSocketFrame) { channel.writeAndFlush(frame, promise: nil) }
}

func text(_ string: String) -> WebSocketFrame {
  WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: string))
}

@Suite(.timeLimit(.minutes(2))) struct EventFrameWriterTests {
  @Test func aBurstIsWrittenAsOneFramePerEventInOrderWithOneFlush() throws {
    let loop = EmbeddedEventLoop()
    let log = WireLog()
    let client = try Client("a", loop, log)
    let lines = (0..<50).map { #"{"type":"chunk","content":"\#($0)"}"# }
    for line in lines { client.deliver(line) }
    loop.run()
    #expect(log.entries == lines.map { .frame("a", $0) } + [.flush("a")])
    #expect(client.connection.queuedBytes == 0)
  }

  @Test func aNewTurnsFirstChunkGoesBeforeAnotherConnectionsBacklogIsDrained() throws {
    let loop = EmbeddedEventLoop()
    let log = WireLog()
    let busy = try Client("busy", loop, log)
    let newcomer = try Client("new", loop, log)
    let backlog = (0..<300).map { #"{"n":\#($0),"pad":"\#(String(repeating: "x", count: 1000))"}"# }
    for line in backlog { busy.deliver(line) }
    newcomer.deliver(#"{"type":"chunk","content":"first"}"#)
    loop.run()
    let first = try #require(log.entries.firstIndex(of: .frame("new", #"{"type":"chunk","content":"first"}"#)))
    let before = log.entries[..<first].filter { if case .frame("busy", _) = $0 { true } else { false } }.count
    #expect(before < backlog.count / 2)
    // The backlog still comes whole and in order.
    #expect(log.frames("busy") == backlog)
  }

  @Test func aFullSocketBufferHoldsTheLinesUntilWritableAgain() throws {
    let loop = EmbeddedEventLoop()
    let log = WireLog()
    let client = try Client("a", loop, log)
    client.channel.isWritable = false
    client.deliver("one")
    client.deliver("two")
    loop.run()
    #expect(log.entries.isEmpty)
    #expect(client.connection.queuedBytes == 6)
    client.channel.isWritable = true
    client.channel.pipeline.fireChannelWritabilityChanged()
    loop.run()
    #expect(log.frames("a") == ["one", "two"])
    #expect(client.connection.queuedBytes == 0)
  }

  @Test func noDataFrameFollowsACloseAndTheEventsEnd() async throws {
    let loop = EmbeddedEventLoop()
    let log = WireLog()
    let client = try Client("a", loop, log)
    client.deliver("before")
    loop.run()
    client.libraryWrites(WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer()))
    client.deliver("after")
    loop.run()
    #expect(log.entries == [.frame("a", "before"), .flush("a"), .close("a"), .flush("a")])
    for await _ in client.connection.events {}
  }

  @Test func aLongLineGoesThroughTheLibraryAndTheNextOnesWaitForIt() async throws {
    let loop = EmbeddedEventLoop()
    let log = WireLog()
    let client = try Client("a", loop, log, compressibleSize: 10)
    let long = String(repeating: "l", count: 10)
    for line in ["short1", long, "short2"] { client.deliver(line) }
    loop.run()
    #expect(log.frames("a") == ["short1"])
    var passedOn = client.connection.events.makeAsyncIterator()
    let line = try #require(await passedOn.next())
    #expect(String(decoding: line, as: UTF8.self) == long)
    // What ChatSocket does with it: write it with the library's writer, then resume.
    client.libraryWrites(text(long))
    client.connection.taken(line.count)
    client.writer.resume()
    loop.run()
    #expect(log.frames("a") == ["short1", long, "short2"])
  }

  @Test func aShutdownWritesWhatIsQueuedThenEndsTheEvents() async throws {
    let loop = EmbeddedEventLoop()
    let log = WireLog()
    let client = try Client("a", loop, log)
    client.channel.isWritable = false
    client.deliver("one")
    client.deliver("two")
    client.connection.finishForShutdown()
    loop.run()
    #expect(log.entries.isEmpty)
    client.channel.isWritable = true
    client.channel.pipeline.fireChannelWritabilityChanged()
    loop.run()
    for await _ in client.connection.events {}
    #expect(log.frames("a") == ["one", "two"])
    #expect(client.connection.goingAway)
  }
}

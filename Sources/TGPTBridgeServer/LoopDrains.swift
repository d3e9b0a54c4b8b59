import NIOCore
import TGPTEvents

/// The frame writers of one event loop that have lines to write, drained together: one task
/// on the loop for all the connections that got events since it last ran, rather than one
/// per connection. Under load that is one wake-up of the loop for many events.
final class LoopDrains: Sendable {
  private struct Ready {
    var writers: [EventFrameWriter] = []
    var scheduled = false
  }

  let eventLoop: any EventLoop
  private let ready = Guarded(Ready())

  /// The drains of `eventLoop`, shared by all its connections.
  static func of(_ eventLoop: any EventLoop) -> LoopDrains {
    all.withLock { all in
      let key = ObjectIdentifier(eventLoop)
      if let drains = all[key] { return drains }
      let drains = LoopDrains(eventLoop)
      all[key] = drains
      return drains
    }
  }

  // A handful of loops for the life of the program.
  private static let all = Guarded<[ObjectIdentifier: LoopDrains]>([:])

  init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

  /// Has `writer` drained on the loop soon, after those already waiting (first come, first
  /// served: a writer that used up its burst comes back at the end).
  func schedule(_ writer: EventFrameWriter) {
    let start = ready.withLock { ready in
      ready.writers.append(writer)
      defer { ready.scheduled = true }
      return !ready.scheduled
    }
    if start { eventLoop.execute { self.run() } }
  }

  private func run() {
    let writers = ready.withLock { ready in
      ready.scheduled = false
      var taken: [EventFrameWriter] = []
      swap(&taken, &ready.writers)
      return taken
    }
    for writer in writers { writer.drain() }
  }
}

import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Work that blocks — a read loop, `waitpid`, a `poll` — on a thread of its own.
///
/// Swift's cooperative pool has one thread per core: a blocking call on it stalls every task
/// of the process (on a two-core machine, two such calls stall them all). Dispatch's shared
/// workers are no refuge on Linux either: when they block, libdispatch adds a replacement only
/// about once a second.
package enum DedicatedThread {
  /// Runs `body` on a new detached thread.
  package static func start(_ body: @escaping @Sendable () -> Void) {
    let box = Unmanaged.passRetained(Body(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    var thread = pthread_t()
    let created = pthread_create(
      &thread, &attributes,
      { raw in
        guard let raw else { return nil }
        Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
        return nil
      }, box)
    if created != 0 {
      // Out of threads: a Dispatch worker is slower to come by, but neither blocks the caller
      // (a loop that never ends would) nor loses the work.
      let body = Unmanaged<Body>.fromOpaque(box).takeRetainedValue()
      DispatchQueue.global().async { body.run() }
    }
  }

  /// Runs `body` on a new thread and hands its result back to the awaiting task, which holds
  /// no thread while it waits.
  package static func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let result: Result<T, E> = await withCheckedContinuation { continuation in
      start { continuation.resume(returning: Result { () throws(E) -> T in try body() }) }
    }
    return try result.get()
  }

  private final class Body: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
  }
}

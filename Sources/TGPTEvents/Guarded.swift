#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A value reachable only while its lock is held: the shape of `Synchronization.Mutex`
/// (`withLock`, `withLockIfAvailable`), over a POSIX mutex.
///
/// Swift 6.3's `Mutex` on Linux locks with futex calls made inside the standard library, which
/// ThreadSanitizer does not see, so it reports every access made under one as a race and a
/// sanitizer run says nothing. ThreadSanitizer intercepts `pthread_mutex_lock`, and uncontended
/// both cost one atomic exchange. Like `Mutex`, the lock is not reentrant.
package final class Guarded<Value>: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  // Beside the lock rather than a stored `var`, so that access goes through the lock alone and
  // not also through the runtime's exclusivity checks on class properties.
  private let value: UnsafeMutablePointer<Value>

  /// A lock guarding `initialValue`.
  package init(_ initialValue: sending Value) {
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    let status = pthread_mutex_init(mutex, nil)
    precondition(status == 0, "pthread_mutex_init failed: \(status)")
    value = .allocate(capacity: 1)
    value.initialize(to: initialValue)
  }

  deinit {
    value.deinitialize(count: 1)
    value.deallocate()
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// Runs `body` with the value while holding the lock, waiting for it if another thread holds it.
  package func withLock<Result, E: Error>(
    _ body: (inout sending Value) throws(E) -> sending Result
  ) throws(E) -> sending Result {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body(&value.pointee)
  }

  /// Runs `body` with the value if the lock is free now; nil, without waiting, if it is held.
  package func withLockIfAvailable<Result, E: Error>(
    _ body: (inout sending Value) throws(E) -> sending Result
  ) throws(E) -> sending Result? {
    guard pthread_mutex_trylock(mutex) == 0 else { return nil }
    defer { pthread_mutex_unlock(mutex) }
    return try body(&value.pointee)
  }
}

#if canImport(Glibc)
  package import Glibc
#elseif canImport(Musl)
  package import Musl
#elseif canImport(Darwin)
  package import Darwin
#endif

/// A value reachable only while its lock is held: the shape of `Synchronization.Mutex`
/// (`withLock`, `withLockIfAvailable`), over a POSIX mutex.
///
/// Swift 6.3's `Mutex` on Linux locks with futex calls made inside the standard library, which
/// ThreadSanitizer does not see, so it reports every access made under one as a race and a
/// sanitizer run says nothing. ThreadSanitizer intercepts `pthread_mutex_lock`; uncontended, the
/// two cost the same here. Like `Mutex`, the lock is not reentrant: taking it again on the
/// thread that holds it stops the process (`withLockIfAvailable` then answers nil).
package final class Guarded<Value>: @unchecked Sendable {
  @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
  // Beside the lock rather than a stored `var`, so that access goes through the lock alone and
  // not also through the runtime's exclusivity checks on class properties.
  @usableFromInline let value: UnsafeMutablePointer<Value>

  /// A lock guarding `initialValue`.
  package init(_ initialValue: sending Value) {
    var attributes = pthread_mutexattr_t()
    pthread_mutexattr_init(&attributes)
    defer { pthread_mutexattr_destroy(&attributes) }
    // Error-checking, so that a second lock on the holding thread is caught as `Mutex` catches
    // it, instead of waiting forever.
    pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ERRORCHECK))
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    let status = pthread_mutex_init(mutex, &attributes)
    precondition(status == 0, "pthread_mutex_init failed: \(status)")
    value = .allocate(capacity: 1)
    value.initialize(to: initialValue)
  }

  deinit {
    // Taken once more so that ThreadSanitizer sees the last user's accesses ordered before the
    // value's teardown (the reference count that orders them is invisible to it).
    lock()
    value.deinitialize(count: 1)
    pthread_mutex_unlock(mutex)
    value.deallocate()
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// Runs `body` with the value while holding the lock, waiting for it if another thread holds it.
  @inlinable
  package func withLock<Result, E: Error>(
    _ body: (inout sending Value) throws(E) -> sending Result
  ) throws(E) -> sending Result {
    lock()
    defer { pthread_mutex_unlock(mutex) }
    return try body(&value.pointee)
  }

  /// Runs `body` with the value if the lock is free now; nil, without waiting, if it is held.
  @inlinable
  package func withLockIfAvailable<Result, E: Error>(
    _ body: (inout sending Value) throws(E) -> sending Result
  ) throws(E) -> sending Result? {
    guard pthread_mutex_trylock(mutex) == 0 else { return nil }
    defer { pthread_mutex_unlock(mutex) }
    return try body(&value.pointee)
  }

  @inlinable
  func lock() {
    let status = pthread_mutex_lock(mutex)
    precondition(
      status == 0, "Guarded: locking failed (\(status == EDEADLK ? "already held by this thread" : "\(status)"))")
  }
}

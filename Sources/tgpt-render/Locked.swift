#if canImport(Glibc)
  import Glibc
#endif

/// A value behind a mutex. Unlike `Mutex`, its closure may capture and mutate the caller's
/// local state (the input splitter), which the signal handler never touches.
final class Locked<Value>: @unchecked Sendable {
  private var value: Value
  private var mutex = pthread_mutex_t()

  init(_ value: Value) {
    self.value = value
    pthread_mutex_init(&mutex, nil)
  }

  deinit { pthread_mutex_destroy(&mutex) }

  func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return try body(&value)
  }
}

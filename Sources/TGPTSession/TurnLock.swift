#if canImport(Glibc)
  import Glibc
#endif

/// The right to run a turn of one session, held until released (when the value goes away).
public protocol TurnLease: AnyObject, Sendable {}

/// An advisory lock on a file (`flock`), so turns of one session run one at a time across
/// processes. The kernel drops it when the process ends, however it ends, so a killed turn
/// never leaves a session locked.
public final class TurnLock: TurnLease {
  private let fd: Int32

  private init(fd: Int32) { self.fd = fd }

  deinit {
    flock(fd, LOCK_UN)
    close(fd)
  }

  /// Takes the lock at `path`, waiting (without blocking a thread for long) while another
  /// process holds it.
  public static func acquire(path: String) async throws -> TurnLock {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw StoreError.database("cannot open the lock file \(path) (errno \(errno))") }
    var delay = 2
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EWOULDBLOCK || errno == EINTR else {
        close(fd)
        throw StoreError.database("cannot lock \(path) (errno \(errno))")
      }
      do {
        try await Task.sleep(for: .milliseconds(delay))
      } catch {
        close(fd)
        throw error
      }
      delay = min(delay * 2, 50)
    }
    return TurnLock(fd: fd)
  }

  /// Takes the lock at `path`, blocking the calling thread (for set-up, outside tasks).
  public static func acquireBlocking(path: String) throws -> TurnLock {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw StoreError.database("cannot open the lock file \(path) (errno \(errno))") }
    while flock(fd, LOCK_EX) != 0 {
      guard errno == EINTR else {
        close(fd)
        throw StoreError.database("cannot lock \(path) (errno \(errno))")
      }
    }
    return TurnLock(fd: fd)
  }
}

#if canImport(Glibc)
  import Glibc
#endif

/// The right to run a turn of one session, held until released (when the value goes away).
package protocol TurnLease: AnyObject, Sendable {}

/// A lock on one byte of a shared lock file (an open-file-description lock, `F_OFD_SETLK`),
/// so turns of one session run one at a time across processes and within one. Each session
/// has its own byte (a hash of its id), so a store with many sessions still has one lock file.
/// The kernel drops the lock when the descriptor closes — also when the process is killed —
/// so a killed turn never leaves a session locked.
package final class TurnLock: TurnLease {
  private let fd: Int32

  private init(fd: Int32) { self.fd = fd }

  deinit { close(fd) }

  // From <fcntl.h>, which Swift's Glibc module imports without _GNU_SOURCE.
  private static let setLock: Int32 = 37  // F_OFD_SETLK
  private static let setLockWait: Int32 = 38  // F_OFD_SETLKW

  /// The byte that stands for the store's set-up (creating and migrating).
  package static let setUpOffset: Int64 = 0

  /// The byte that stands for session `id`: 1 + a 62-bit FNV-1a hash, so two sessions share
  /// a byte (and wait for each other) about once in 4·10¹⁸ pairs.
  package static func offset(of id: String) -> Int64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in id.utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01B3
    }
    return 1 + Int64(hash & 0x3FFF_FFFF_FFFF_FFFF)
  }

  /// Takes the lock on byte `offset` of `path`, waiting (without blocking a thread for long)
  /// while another holder has it; `onWait` runs once if it has to wait.
  package static func acquire(path: String, offset: Int64, onWait: @Sendable () -> Void = {}) async throws -> TurnLock {
    let fd = try open(path)
    var delay = 2
    var told = false
    while !lock(fd, offset, wait: false) {
      guard errno == EAGAIN || errno == EACCES || errno == EINTR else {
        let code = errno
        close(fd)
        throw StoreError.database("cannot lock \(path) (errno \(code))")
      }
      if !told {
        told = true
        onWait()
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

  /// Takes the lock on byte `offset` of `path`, blocking the calling thread (for set-up,
  /// outside tasks).
  package static func acquireBlocking(path: String, offset: Int64) throws -> TurnLock {
    let fd = try open(path)
    while !lock(fd, offset, wait: true) {
      guard errno == EINTR else {
        let code = errno
        close(fd)
        throw StoreError.database("cannot lock \(path) (errno \(code))")
      }
    }
    return TurnLock(fd: fd)
  }

  private static func open(_ path: String) throws -> Int32 {
    let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw StoreError.database("cannot open the lock file \(path) (errno \(errno))") }
    return fd
  }

  private static func lock(_ fd: Int32, _ offset: Int64, wait: Bool) -> Bool {
    var request = flock()
    request.l_type = Int16(F_WRLCK)
    request.l_whence = Int16(SEEK_SET)
    request.l_start = __off_t(offset)
    request.l_len = 1
    return fcntl(fd, wait ? setLockWait : setLock, &request) == 0
  }
}

import CSyscalls

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Plain file-descriptor I/O: whole writes, reads that retry on EINTR, and the EPIPE rule.
package enum FileIO {
  /// Writes every byte, retrying short writes and EINTR.
  ///
  /// Throws `ProtocolError` with `isOutputClosed` when the reader has gone (EPIPE), which
  /// callers treat as a quiet success.
  package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(ProtocolError) {
    guard var pointer = bytes.baseAddress else { return }
    var remaining = bytes.count
    while remaining > 0 {
      let written = write(fd, pointer, remaining)
      if written < 0 {
        let code = errno
        if code == EINTR || code == EAGAIN { continue }
        if code == EPIPE { throw .outputClosed }
        throw .writeFailed(errno: code)
      }
      remaining -= written
      pointer += written
    }
  }

  /// Writes every byte of an array.
  package static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(ProtocolError) {
    try bytes.withBytes { buffer throws(ProtocolError) in try writeAll(fd, buffer) }
  }

  /// Writes a string's UTF-8.
  package static func writeAll(_ fd: Int32, _ text: String) throws(ProtocolError) {
    try text.withUTF8Bytes { buffer throws(ProtocolError) in try writeAll(fd, buffer) }
  }

  /// Reads up to `buffer.count` bytes; 0 at end of input. Retries EINTR.
  package static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(ProtocolError) -> Int {
    while true {
      let n = systemRead(fd, buffer.baseAddress, buffer.count)
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw .readFailed(errno: errno)
    }
  }

  /// Reads everything until end of input, or until `limit` bytes have been read.
  package static func readAll(_ fd: Int32, upTo limit: Int = .max) throws(ProtocolError) -> [UInt8] {
    var result: [UInt8] = []
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
    defer { chunk.deallocate() }
    while result.count < limit {
      let n = try read(
        fd, into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<min(chunk.count, limit - result.count)]))
      if n == 0 { return result }
      result.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
    }
    return result
  }

  /// `readAll` on a thread of its own, for async callers: a slow producer at the other end of
  /// a pipe must not hold a thread of the concurrency pool.
  package static func readAllWaiting(_ fd: Int32) async throws(ProtocolError) -> [UInt8] {
    try await DedicatedThread.run { () throws(ProtocolError) -> [UInt8] in try readAll(fd) }
  }

  /// Whether the descriptor is a pipe or a regular file: the only kinds of stdin we read
  /// without being asked, so an inherited terminal or socket never makes us hang (SPEC §4).
  package static func isPipeOrFile(_ fd: Int32) -> Bool {
    var info = stat()
    guard fstat(fd, &info) == 0 else { return false }
    let type = info.st_mode & S_IFMT
    return type == S_IFIFO || type == S_IFREG
  }

  /// Whether the descriptor is a pipe (FIFO).
  package static func isPipe(_ fd: Int32) -> Bool {
    var info = stat()
    guard fstat(fd, &info) == 0 else { return false }
    return info.st_mode & S_IFMT == S_IFIFO
  }

  /// Whether nobody will read what is written to `fd` any more: a pipe with no reader left, a
  /// stream socket whose peer has gone, a terminal that hung up — where a write would fail.
  /// Asks without writing. False for a file, /dev/null, or a descriptor that is not open.
  package static func readerGone(_ fd: Int32) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
    guard poll(&entry, 1, 0) == 1 else { return false }
    return entry.revents & Int16(POLLERR | POLLHUP) != 0
  }

  /// Whether the descriptor is a terminal.
  package static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

  /// A pipe, both ends close-on-exec from the start: a program started by another thread at
  /// that moment inherits neither (it would keep the pipe open, and its reader waiting, for as
  /// long as it lives). Give an end to a child with a `dup2` file action, which clears the flag.
  package static func makePipe() -> (read: Int32, write: Int32)? {
    var ends: [Int32] = [-1, -1]
    guard csyscalls_pipe_cloexec(&ends) == 0 else { return nil }
    return (ends[0], ends[1])
  }

  /// Whether two descriptors lead to the same file, pipe or terminal (`2>&1`), where what is
  /// written to one shows up among what is written to the other.
  package static func sameFile(_ a: Int32, _ b: Int32) -> Bool {
    var first = stat()
    var second = stat()
    guard fstat(a, &first) == 0, fstat(b, &second) == 0 else { return false }
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino
  }

  /// Whether something exists at `path` (a dangling symbolic link does not count).
  package static func exists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
  }

  /// Whether `path` is a directory (or a symbolic link to one).
  package static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }

  /// Creates `path` and its missing parents, readable by the user only (`mkdir -p`, mode 700);
  /// nil when all exist afterwards, else the directory that could not be made and why.
  package static func makeDirectories(_ path: String) -> (directory: String, errno: Int32)? {
    var built = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      built += "/" + component
      if mkdir(built, 0o700) != 0, errno != EEXIST { return (built, errno) }
    }
    return nil
  }
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  read(fd, buffer, count)
}

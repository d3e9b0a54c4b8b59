import TGPTEvents
import TGPTProviders

#if canImport(Glibc)
  import Glibc
#endif

extension ConfigFile {
  /// Sets top-level string keys of the config file at `path` (nil removes one), keeping the
  /// rest of the file byte for byte (see `ConfigEditor`). Creates the file and its directory
  /// when missing; follows a symbolic link, so a file kept in a dotfiles repository stays
  /// there; replaces the file in one rename, keeping its permissions. Returns the path written.
  public static func update(_ changes: [(key: String, value: String?)], path: String) throws(ProviderError) -> String {
    let target = resolvedPath(path)
    func failure(_ what: String) -> ProviderError { .config("cannot write \(target): \(what)") }
    var mode: mode_t = 0o644
    var text = ""
    let fd = open(target, O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
      defer { close(fd) }
      var status = stat()
      if fstat(fd, &status) == 0 { mode = status.st_mode & 0o7777 }
      guard let bytes = try? FileIO.readAll(fd) else { throw failure("it cannot be read") }
      text = String(decoding: bytes, as: UTF8.self)
    } else if errno != ENOENT {
      throw failure(systemError())
    }
    for change in changes {
      do {
        text = try ConfigEditor.setting(change.key, to: change.value, in: text)
      } catch {
        throw .config("\(target): \(error.description); fix it first, it was left as it is")
      }
    }
    if let slash = target.lastIndex(of: "/"), slash != target.startIndex {
      try makeDirectories(String(target[..<slash]))
    }
    let temporary = "\(target).tmp-\(getpid())"
    let out = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard out >= 0 else { throw failure(systemError()) }
    do {
      defer { close(out) }
      _ = fchmod(out, mode)
      try FileIO.writeAll(out, text)
      guard fsync(out) == 0 else { throw failure(systemError()) }
    } catch {
      unlink(temporary)
      throw error as? ProviderError ?? failure("\(error)")
    }
    guard rename(temporary, target) == 0 else {
      let why = systemError()
      unlink(temporary)
      throw failure(why)
    }
    return target
  }

  /// `path` with symbolic links resolved, when it exists.
  private static func resolvedPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// `mkdir -p`.
  private static func makeDirectories(_ path: String) throws(ProviderError) {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/") {
      prefix += (prefix.isEmpty || prefix == "/" ? "" : "/") + part
      if mkdir(prefix, 0o755) != 0, errno != EEXIST {
        throw .config("cannot create the directory \(prefix): \(systemError())")
      }
    }
  }

  private static func systemError() -> String { String(cString: strerror(errno)) }
}

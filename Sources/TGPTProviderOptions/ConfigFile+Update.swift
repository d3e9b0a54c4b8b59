import TGPTEvents
package import TGPTProviders

#if canImport(Glibc)
  import Glibc
#endif

extension ConfigFile {
  /// What `update` did: the file written and each change as made, e.g. `model = "x"` or
  /// `[providers.openai] model = "x"`.
  package struct Written: Sendable {
    package var path: String
    package var changes: [String]
  }

  /// Sets the defaults (top-level string keys such as `provider` and `system`; nil removes
  /// one) in the config file at `path`, keeping the rest of the file byte for byte (see
  /// `ConfigEditor`).
  ///
  /// `model` goes where the default provider reads it: into its `[providers.NAME]` table when
  /// that already has a `model`, else the top level; removing it removes both. Creates the
  /// file and its directory when missing; follows a symbolic link, so a file kept in a
  /// dotfiles repository stays there, but refuses anything that is not a regular file;
  /// replaces the file in one rename, keeping its permissions.
  package static func update(_ changes: [(key: String, value: String?)], path: String) throws(ProviderError) -> Written
  {
    let target = resolvedPath(path)
    func failure(_ what: String) -> ProviderError { .config("cannot write \(target): \(what)") }
    var status = stat()
    // /dev/null or a directory must not be renamed over: only a file is replaced.
    if lstat(target, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
      let what = status.st_mode & S_IFMT == S_IFLNK ? "a symbolic link to nothing" : "not a regular file"
      throw failure("it is \(what); point TGPT_CONFIG at a file")
    }
    var mode: mode_t = 0o644
    var text = ""
    let fd = open(target, O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
      defer { close(fd) }
      if fstat(fd, &status) == 0 { mode = status.st_mode & 0o7777 }
      guard let bytes = try? FileIO.readAll(fd) else { throw failure("it cannot be read") }
      text = String(decoding: bytes, as: UTF8.self)
    } else if errno != ENOENT {
      throw failure(systemError())
    }
    var made: [String] = []
    for change in changes {
      do throws(ProviderError) {
        made.append(try apply(change, to: &text))
      } catch {
        throw .config("\(target): \(error.description); fix it first, it was left as it is")
      }
    }
    if let slash = target.lastIndex(of: "/"), slash != target.startIndex,
      let (directory, code) = FileIO.makeDirectories(String(target[..<slash]))
    {
      throw .config("cannot create the directory \(directory): \(String(cString: strerror(code)))")
    }
    try replace(target, with: text, mode: mode)
    return Written(path: target, changes: made)
  }

  /// Makes one change in `text`; says what it did.
  private static func apply(_ change: (key: String, value: String?), to text: inout String) throws(ProviderError)
    -> String
  {
    let setting = change.value.map { "\(change.key) = \(ConfigEditor.quoted($0))" } ?? "\(change.key) removed"
    if change.key == "model" {
      let provider = (try? TOMLReader.parse(text))?["provider"]?.stringValue
      let table = ["providers", defaultProvider(named: provider).rawValue]
      if let edited = try ConfigEditor.setting("model", inTable: table, to: change.value, in: text) {
        text = edited
        let top = change.value == nil ? try ConfigEditor.setting("model", to: nil, in: text) : text
        let alsoTop = top != text ? ", and at the top level" : ""
        text = top
        return "[\(table.joined(separator: "."))] \(setting)\(alsoTop)"
      }
    }
    text = try ConfigEditor.setting(change.key, to: change.value, in: text)
    return setting
  }

  /// Writes `text` to a new file beside `target`, then renames it over `target`.
  private static func replace(_ target: String, with text: String, mode: mode_t) throws(ProviderError) {
    func failure(_ what: String) -> ProviderError { .config("cannot write \(target): \(what)") }
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
  }

  /// `path` with symbolic links resolved, when it exists.
  private static func resolvedPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  private static func systemError() -> String { String(cString: strerror(errno)) }
}

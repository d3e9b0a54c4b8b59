import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The other life of a fuzz target: built without libFuzzer (any build but `make fuzz`), it is
/// a program that runs the same function over the files it is given, or over every file in the
/// directories it is given. `make test` runs each target over its committed corpus, so every
/// input that once crashed stays a regression test.
package enum FuzzReplay {
  /// Runs `body` over each input named on the command line, prints how many, and exits 0. An
  /// input that breaks an invariant stops the program with a trap; the last line on stderr
  /// names the file.
  package static func main(_ body: (UnsafeRawBufferPointer) -> Void) -> Never {
    let paths = CommandLine.arguments.dropFirst()
    guard !paths.isEmpty else { fail(64, "usage: \(CommandLine.arguments[0]) FILE|DIR…") }
    var count = 0
    for file in paths.flatMap(files(at:)) {
      try? FileIO.writeAll(2, "\(file)\n")
      let fd = open(file, O_RDONLY)
      guard fd >= 0, let bytes = try? FileIO.readAll(fd) else { fail(66, "cannot read \(file)") }
      close(fd)
      bytes.withUnsafeBytes(body)
      count += 1
    }
    try? FileIO.writeAll(1, "\(count) inputs\n")
    exit(0)
  }

  private static func fail(_ status: Int32, _ message: String) -> Never {
    try? FileIO.writeAll(2, message + "\n")
    exit(status)
  }

  /// The files at `path`: itself, or the regular files in it (not recursively), in name order.
  private static func files(at path: String) -> [String] {
    guard let directory = opendir(path) else { return [path] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      var info = stat()
      if stat(path + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFREG { names.append(name) }
    }
    return names.sorted().map { path + "/" + $0 }
  }
}

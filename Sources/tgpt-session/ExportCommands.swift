import ArgumentParser
import TGPTCommandSupport
import TGPTEvents
import TGPTSession

#if canImport(Glibc)
  import Glibc
#endif

struct ExportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract:
      "Write sessions as NDJSON: a {\"type\":\"session\",…} line, then one {\"type\":\"message\",…} line per message.",
    discussion: """
      `import` reads it back; exporting the imported session gives the same bytes.

      Example:
        tgpt-session export work | ssh other-host tgpt-session import
      """)

  @OptionGroup var storeOptions: StoreOptions

  @Argument(help: ArgumentHelp("The session ids.", valueName: "id"))
  var ids: [String]

  func validate() throws {
    if ids.isEmpty { throw ValidationError("give the ids of the sessions to export") }
    for id in ids { try validateSessionID(id) }
  }

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    let store = try await openStore(storeOptions, .existing)
    var out = OutputBuffer()
    for id in ids {
      guard let session = try await store.session(id) else { throw StoreError.notFound(id) }
      for line in session.lines { out.bytes(line) }
    }
    try out.flush()
  }
}

struct ImportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Read sessions written by `export` (from a file or stdin); an existing id is refused.",
    discussion: """
      The file is checked whole before anything is stored (exit 65 naming the bad line).

      Example:
        tgpt-session import --as work-copy work.ndjson
      """)

  @Option(name: .customLong("as"), help: ArgumentHelp("Import the (one) session under this id.", valueName: "id"))
  var newID: String?

  @OptionGroup var storeOptions: StoreOptions

  @Argument(help: ArgumentHelp("The file to read (default: stdin).", valueName: "file"))
  var file: String?

  func validate() throws {
    if let newID { try validateSessionID(newID) }
  }

  func run() async throws {
    let bytes = try await readInput()
    var groups: [[JSON]] = []
    var reader = NDJSONSplitter()
    var failure: ProtocolError?
    let collect = { (item: NDJSONSplitter.Item) in
      guard failure == nil else { return }
      switch item {
      case .line(let line, let number):
        do throws(ProtocolError) {
          let json = try JSON.parse(line)
          if json["type"]?.stringValue == "session" || groups.isEmpty { groups.append([]) }
          groups[groups.count - 1].append(json)
        } catch {
          failure = .badEvent("line \(number): \(error.description)")
        }
      case .overlong(let number, _):
        failure = .badEvent("line \(number) is longer than \(NDJSONSplitter.defaultMaxLineBytes) bytes")
      }
    }
    bytes.withBytes { buffer in reader.feed(buffer, collect) }
    reader.finish(collect)
    if let failure { throw failure }
    guard !groups.isEmpty else { throw StoreError.badImport("the input is empty") }
    if newID != nil, groups.count > 1 {
      throw ValidationError("--as renames one session, but the input holds \(groups.count)")
    }
    var exports = try groups.map { lines throws(StoreError) in try SessionExport(lines: lines, id: newID) }
    for index in exports.indices {
      // An export from elsewhere must not choose the server that this machine's keys go to.
      guard let baseURL = exports[index].summary.settings.baseURL else { continue }
      let id = exports[index].summary.id
      exports[index].summary.settings.baseURL = nil
      Diagnostics.warning(
        "\(id): its base URL \(baseURL) was not imported (keys go where it points); "
          + "if you trust it: tgpt-session set \(id) --base-url \(baseURL)")
    }
    let store = try await openStore(storeOptions, .create)
    for export in exports {
      try await store.importSession(export)
      Diagnostics.note("imported \(export.summary.id) (\(export.messages.count) messages)")
    }
  }

  /// The file or stdin, read on a thread of its own (either may be a slow pipe).
  private func readInput() async throws -> [UInt8] {
    guard let file else {
      guard FileIO.isPipeOrFile(0) else {
        throw ValidationError("give a file, or pipe the export on stdin")
      }
      return try await FileIO.readAllWaiting(0)
    }
    return try await DedicatedThread.run { () throws -> [UInt8] in
      let fd = open(file, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else { throw ValidationError("cannot open \(file): \(String(cString: strerror(errno)))") }
      defer { close(fd) }
      return try FileIO.readAll(fd)
    }
  }
}

struct SearchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Find messages containing all the words (full text; newest first): session, message number, snippet.",
    discussion: """
      Words match as substrings in any case and any script (日本 finds 日本語).

      Examples:
        tgpt-session search nginx 502
        tgpt-session search --json logrotate | jq -r .session_id | sort -u
      """)

  @Flag(help: "One JSON object per hit: session_id, seq, role, snippet.")
  var json = false

  @Option(name: [.customShort("n"), .long], help: ArgumentHelp("Show at most this many hits.", valueName: "n"))
  var limit = 50

  @OptionGroup var storeOptions: StoreOptions

  @Argument(help: ArgumentHelp("The words to find.", valueName: "text"))
  var words: [String]

  func validate() throws {
    if words.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { throw ValidationError("give the words to search for") }
    if limit < 1 { throw ValidationError("--limit must be at least 1") }
  }

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    let hits = try await openStore(storeOptions, .existing).search(words.joined(separator: " "), limit: limit)
    var out = OutputBuffer()
    for hit in hits {
      if json {
        var writer = JSONWriter()
        let object = JSONObject([
          ("session_id", .string(hit.sessionID)), ("seq", .int(hit.seq)), ("role", .string(hit.role)),
          ("snippet", .string(hit.snippet)),
        ])
        writer.value(.object(object))
        writer.byte(0x0A)
        out.bytes(writer.bytes)
      } else {
        let snippet = Readable.safe(hit.snippet).split(whereSeparator: \.isNewline).joined(separator: " ")
        out.text("\(hit.sessionID) #\(hit.seq) \(Readable.safe(hit.role)): \(snippet)\n")
      }
    }
    try out.flush()
  }
}

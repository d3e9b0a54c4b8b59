import ArgumentParser
import TGPTCommandSupport
import TGPTEvents
import TGPTSession

/// `tgpt-session cache stats|clear`: the response cache of `--cache`.
struct CacheCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cache",
    abstract: "Look at or empty the response cache of --cache.",
    discussion: """
      The cache is $TGPT_HOME/cache.sqlite, else $XDG_CACHE_HOME/tgpt/cache.sqlite, else \
      ~/.cache/tgpt/cache.sqlite. Each principal's answers are its own.

      Examples:
        tgpt-session cache stats
        tgpt-session cache clear --principal alice
      """,
    subcommands: [CacheStatsCommand.self, CacheClearCommand.self])

  /// The cache file, or nil (with nothing to report) when there is none yet.
  static func existing() async throws -> ResponseCache? {
    guard let path = CacheOptions.path else {
      throw ValidationError("no cache directory: set TGPT_HOME, XDG_CACHE_HOME or HOME")
    }
    guard FileIO.exists(path) else { return nil }
    return try await DedicatedThread.run { () throws -> ResponseCache in try ResponseCache(path: path) }
  }
}

struct CacheStatsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stats",
    abstract:
      "Print the cache as one JSON object: path, entries, bytes, hits, misses, oldest_ms and newest_ms (when it was made)."
  )

  @Option(help: ArgumentHelp("Only this principal's entries and counts.", valueName: "name"))
  var principal: String?

  func run() async throws {
    SignalTrap.ignoreSIGPIPE()
    let stats = try await CacheCommand.existing()?.stats(principal: principal) ?? CacheStats()
    var object = JSONObject()
    object["path"] = CacheOptions.path.map(JSON.string) ?? .null
    object["entries"] = .int(stats.entries)
    object["bytes"] = .int(stats.bytes)
    object["hits"] = .int(stats.hits)
    object["misses"] = .int(stats.misses)
    if let oldest = stats.oldestMs { object["oldest_ms"] = .int(Int(oldest)) }
    if let newest = stats.newestMs { object["newest_ms"] = .int(Int(newest)) }
    try FileIO.writeAll(1, JSON.object(object).compactText + "\n")
  }
}

struct CacheClearCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "clear", abstract: "Remove the cached answers (and counts): all, or one principal's.")

  @Option(help: ArgumentHelp("Only this principal's entries.", valueName: "name"))
  var principal: String?

  func run() async throws {
    let removed = try await CacheCommand.existing()?.clear(principal: principal) ?? 0
    Diagnostics.note("removed \(removed) cached answer\(removed == 1 ? "" : "s")")
  }
}

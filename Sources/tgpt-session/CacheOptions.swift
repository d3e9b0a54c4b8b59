import ArgumentParser
import TGPTCommandSupport
import TGPTEvents
import TGPTOrchestrator
import TGPTProviderOptions
import TGPTSession

/// `--cache [TTL]` and `--no-cache`: the response cache for turns.
struct CacheOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Answer a turn whose request (provider, base URL, model, parameters, system prompt, tools and every message) equals one answered in full less than TTL ago from the response cache, without a request; --cache alone: 1h. TTL: 30s, 15m, 1h, 7d; 0: off (a word after --cache that reads as one is the TTL: --cache -- 42 sends 42). Turns that called tools are not kept. Config: cache = \"1h\".",
      valueName: "ttl"))
  var cache: String?

  @Flag(help: "Do not use the response cache (overrides the config file's cache).")
  var noCache = false

  /// The TTL of `--cache` alone.
  static let defaultSeconds = 3600

  func validate() throws {
    if let cache, cache != OptionalValue.omitted, TTL.seconds(cache) == nil {
      throw ValidationError("--cache takes a duration: \(TTL.rule); not '\(cache)'")
    }
    if noCache, cache != nil { throw ValidationError("give --cache or --no-cache, not both") }
  }

  /// How long answers are reused, in seconds; nil: the cache is off.
  func seconds(config: ConfigFile) -> Int? {
    if noCache { return nil }
    let seconds: Int?
    if let cache {
      seconds = cache == OptionalValue.omitted ? Self.defaultSeconds : TTL.seconds(cache)
    } else {
      seconds = config.cacheSeconds
    }
    guard let seconds, seconds > 0 else { return nil }
    return seconds
  }

  /// `$TGPT_HOME/cache.sqlite`, else `$XDG_CACHE_HOME/tgpt/cache.sqlite`, else
  /// `~/.cache/tgpt/cache.sqlite`.
  static var path: String? {
    if let home = ProcessEnvironment.value("TGPT_HOME") { return home + "/cache.sqlite" }
    if let xdg = ProcessEnvironment.value("XDG_CACHE_HOME") { return xdg + "/tgpt/cache.sqlite" }
    if let home = ProcessEnvironment.value("HOME") { return home + "/.cache/tgpt/cache.sqlite" }
    return nil
  }

  /// Opens the cache file, on a thread of its own; nil, with a warning, when it cannot be
  /// opened (the turns then go to the provider).
  static func open() async -> ResponseCache? {
    guard let path else {
      Diagnostics.warning("no cache directory (set TGPT_HOME, XDG_CACHE_HOME or HOME); --cache is off")
      return nil
    }
    do {
      return try await DedicatedThread.run { () throws -> ResponseCache in try ResponseCache(path: path) }
    } catch {
      Diagnostics.warning("\((error as? StoreError)?.description ?? "\(error)"); --cache is off for this run")
      return nil
    }
  }
}

/// The response cache, opened by the first turn that uses it and shared by the later ones.
final class CacheOpener: Sendable {
  private let opening = Guarded<Task<ResponseCache?, Never>?>(nil)

  func cache() async -> ResponseCache? {
    let task = opening.withLock { task in
      if let task { return task }
      let started = Task { await CacheOptions.open() }
      task = started
      return started
    }
    return await task.value
  }
}

import Logging
import TGPTEvents
import TGPTProviders
package import TGPTSession

/// The response cache as turns use it (`tgpt-session --cache [TTL]`): a turn whose request —
/// provider, base URL, model, every parameter, system prompt, tools and the whole message
/// list, sent by the same principal — equals one answered less than `ttlMs` ago is answered
/// from the cache. Only complete answers without tool calls are kept. The cache never breaks a
/// turn: when it fails, a warning is logged and the turn goes to the provider.
package struct TurnCache: Sendable {
  package let cache: ResponseCache
  /// How long an answer may be reused.
  package let ttlMs: Int64

  package init(cache: ResponseCache, ttlSeconds: Int) {
    self.cache = cache
    ttlMs = Int64(ttlSeconds) * 1000
  }

  /// The key of `request` as `principal` sends it to `provider`: a SHA-256 of one canonical
  /// JSON text of all of it. Content parts of messages (images, files) are in `messages`, so
  /// they count as they are.
  static func key(principal: String, provider: Provider, request: ChatRequest) -> String {
    let tools: [JSON] = request.tools.map {
      ["name": .string($0.name), "description": .string($0.description), "parameters": $0.parameters]
    }
    let canonical = JSON.object(
      JSONObject([
        ("v", 1), ("principal", .string(principal)), ("provider", .string(provider.kind.rawValue)),
        ("base_url", provider.baseURL.map(JSON.string) ?? .null), ("model", request.model.map(JSON.string) ?? .null),
        ("system", request.system.map(JSON.string) ?? .null),
        ("temperature", request.temperature.map(JSON.double) ?? .null),
        ("max_tokens", request.maxTokens.map(JSON.int) ?? .null), ("extra", .object(request.extra)),
        ("tools", .array(tools)), ("messages", .array(request.messages)),
      ]))
    return ContentHash.sha256(canonical.compactText.utf8)
  }

  /// The fresh answer kept under `key`, or nil (none, stale, or the cache failed).
  func lookup(_ key: String, principal: String, logger: Logger) async -> CachedAnswer? {
    do {
      return try await cache.lookup(key: key, principal: principal, ttlMs: ttlMs, now: WallClock.milliseconds())
    } catch {
      logger.warning("the response cache failed; asking the provider: \(error)")
      return nil
    }
  }

  /// Keeps a complete answer under `key`.
  func save(_ answer: CachedAnswer, key: String, principal: String, logger: Logger) async {
    do {
      try await cache.save(key: key, principal: principal, answer: answer, ttlMs: ttlMs, now: WallClock.milliseconds())
    } catch {
      logger.warning("could not keep the answer in the response cache: \(error)")
    }
  }

  /// Finish reasons of an answer that ended as the model meant it to (not cut by a token
  /// limit, a filter or a tool call).
  static let wholeAnswer: Set<String> = ["stop", "end_turn", "stop_sequence"]
}

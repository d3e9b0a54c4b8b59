package import TGPTEvents

/// A complete answer kept in the response cache: what replaying it needs.
package struct CachedAnswer: Sendable, Hashable {
  package var content: String
  /// Reasoning text, when the model sent any.
  package var reasoning: String?
  package var model: String?
  package var finishReason: String?
  /// The usage of the request that made the answer.
  package var usage: Usage?

  package init(
    content: String, reasoning: String? = nil, model: String? = nil, finishReason: String? = nil, usage: Usage? = nil
  ) {
    self.content = content
    self.reasoning = reasoning
    self.model = model
    self.finishReason = finishReason
    self.usage = usage
  }

  /// As stored: one JSON object.
  var json: JSON {
    var object = JSONObject()
    object["content"] = .string(content)
    if let reasoning { object["reasoning"] = .string(reasoning) }
    if let model { object["model"] = .string(model) }
    if let finishReason { object["finish_reason"] = .string(finishReason) }
    if let usage { object["usage"] = usage.json }
    return .object(object)
  }

  init?(json: JSON) {
    guard let content = json["content"]?.stringValue else { return nil }
    self.content = content
    reasoning = json["reasoning"]?.stringValue
    model = json["model"]?.stringValue
    finishReason = json["finish_reason"]?.stringValue
    usage = json["usage"].flatMap(Usage.init(json:))
  }
}

/// What `tgpt-session cache stats` reports.
package struct CacheStats: Sendable, Equatable {
  package var entries = 0
  /// The size of the answers kept, in bytes.
  package var bytes = 0
  /// Turns answered from the cache, and turns that looked and found nothing fresh.
  package var hits = 0
  package var misses = 0
  /// When the oldest and newest entries were made (Unix milliseconds).
  package var oldestMs: Int64?
  package var newestMs: Int64?

  package init() {}
}

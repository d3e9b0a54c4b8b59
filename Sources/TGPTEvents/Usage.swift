/// Token counts (and cost, when the provider reports it) for one answer.
package struct Usage: Sendable, Hashable {
  package var promptTokens: Int?
  package var completionTokens: Int?
  package var totalTokens: Int?
  /// Cost in the provider's credits (OpenRouter: USD), kept as the provider wrote it.
  package var cost: JSONNumber?
  /// Tokens spent on reasoning, when reported separately.
  package var reasoningTokens: Int?
  /// Prompt tokens served from the provider's prompt cache, when reported (OpenAI's
  /// `prompt_tokens_details.cached_tokens`, Anthropic's `cache_read_input_tokens`); they are
  /// part of `promptTokens`.
  package var cachedTokens: Int?
  /// Prompt tokens written to the provider's prompt cache (Anthropic's
  /// `cache_creation_input_tokens`); part of `promptTokens` too.
  package var cacheWriteTokens: Int?

  package init(
    promptTokens: Int? = nil, completionTokens: Int? = nil, totalTokens: Int? = nil,
    cost: JSONNumber? = nil, reasoningTokens: Int? = nil, cachedTokens: Int? = nil, cacheWriteTokens: Int? = nil
  ) {
    self.promptTokens = promptTokens
    self.completionTokens = completionTokens
    self.totalTokens = totalTokens
    self.cost = cost
    self.reasoningTokens = reasoningTokens
    self.cachedTokens = cachedTokens
    self.cacheWriteTokens = cacheWriteTokens
  }

  /// The wire form: `{"prompt_tokens":…,"completion_tokens":…,"total_tokens":…,"cost":…}`,
  /// only the fields that are known.
  package var json: JSON {
    var object = JSONObject()
    if let promptTokens { object["prompt_tokens"] = .int(promptTokens) }
    if let completionTokens { object["completion_tokens"] = .int(completionTokens) }
    if let totalTokens { object["total_tokens"] = .int(totalTokens) }
    if let cost { object["cost"] = .number(cost) }
    if let reasoningTokens { object["reasoning_tokens"] = .int(reasoningTokens) }
    if let cachedTokens { object["cached_tokens"] = .int(cachedTokens) }
    if let cacheWriteTokens { object["cache_write_tokens"] = .int(cacheWriteTokens) }
    return .object(object)
  }

  /// Reads the wire form back (unknown members are ignored).
  package init?(json: JSON) {
    guard let object = json.objectValue else { return nil }
    promptTokens = object["prompt_tokens"]?.intValue
    completionTokens = object["completion_tokens"]?.intValue
    totalTokens = object["total_tokens"]?.intValue
    if case .number(let n)? = object["cost"] { cost = n }
    reasoningTokens = object["reasoning_tokens"]?.intValue
    cachedTokens = object["cached_tokens"]?.intValue
    cacheWriteTokens = object["cache_write_tokens"]?.intValue
  }
}

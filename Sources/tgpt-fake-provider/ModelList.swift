import TGPTEvents

/// The answer to `GET /v1/models`: OpenAI's list shape, or Anthropic's (when the request
/// carries `anthropic-version`) in pages of two, so a client must follow `has_more`.
struct ModelList {
  let scenario: Scenario
  let anthropic: Bool

  /// Not in alphabetical order, so a test can tell that the provider's order is kept.
  var ids: [String] { [scenario.model, "fake/big-model", "anthropic/claude-sonnet-4"] }

  static let pageSize = 2

  /// The body for a request with this query string (`after_id=…` for Anthropic).
  func page(query: String) -> String {
    guard anthropic else {
      let data = ids.map { id -> JSON in
        ["id": .string(id), "object": "model", "created": 1_700_000_000, "owned_by": "fake"]
      }
      return (["object": "list", "data": .array(data)] as JSON).compactText
    }
    let after = query.split(separator: "&").first { $0.hasPrefix("after_id=") }.map { String($0.dropFirst(9)) }
    let start = after.flatMap { ids.firstIndex(of: Scenario.percentDecode($0)) }.map { $0 + 1 } ?? 0
    let page = Array(ids[min(start, ids.count)...].prefix(Self.pageSize))
    let data = page.map { id -> JSON in
      ["type": "model", "id": .string(id), "display_name": .string(id), "created_at": "2025-01-01T00:00:00Z"]
    }
    let body: JSON = [
      "data": .array(data), "has_more": .bool(start + page.count < ids.count),
      "first_id": page.first.map(JSON.string) ?? nil, "last_id": page.last.map(JSON.string) ?? nil,
    ]
    return body.compactText
  }
}

import TGPTEvents
import Testing

@testable import TGPTProviders

@Suite struct RetryPolicyTests {
  @Test func retryAfterForms() {
    #expect(RetryPolicy.retryAfter(HTTPHeaders([("Retry-After", "7")])) == 7)
    #expect(RetryPolicy.retryAfter(HTTPHeaders([("retry-after-ms", "1500"), ("Retry-After", "7")])) == 1.5)
    #expect(RetryPolicy.retryAfter(HTTPHeaders([("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")])) == 0)
    #expect(RetryPolicy.retryAfter(HTTPHeaders([("Retry-After", "soon")])) == nil)
    #expect(RetryPolicy.retryAfter(HTTPHeaders()) == nil)
  }

  @Test func httpDatesParse() {
    #expect(RetryPolicy.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
    #expect(RetryPolicy.parseHTTPDate("06 Nov 1994") == nil)
  }

  @Test func retryAfterIsHonouredUpToTheCap() {
    let policy = RetryPolicy(maxRetryAfter: 60)
    let asked = ProviderError.http(
      status: 429, message: "", details: nil, code: nil, type: nil, retryAfter: 12, shouldRetry: nil)
    #expect(policy.delay(beforeRetry: 1, after: asked) == 12)
    let greedy = ProviderError.http(
      status: 429, message: "", details: nil, code: nil, type: nil, retryAfter: 900, shouldRetry: nil)
    #expect(policy.delay(beforeRetry: 1, after: greedy) == 60)
  }

  @Test func backoffGrowsWithJitterWithinBounds() {
    let policy = RetryPolicy(baseDelay: 0.5, maxDelay: 8)
    let error = ProviderError.connectFailed("x")
    for (retry, nominal) in [(1, 0.5), (2, 1.0), (3, 2.0), (6, 8.0), (30, 8.0)] {
      for _ in 0..<50 {
        let delay = policy.delay(beforeRetry: retry, after: error)
        #expect(delay <= nominal && delay >= nominal * 0.75, "retry \(retry): \(delay)")
      }
    }
  }

  @Test(
    arguments: [
      (400, nil, nil, "bad_request"), (401, nil, nil, "auth"), (402, nil, nil, "auth"), (403, nil, nil, "auth"),
      (404, nil, nil, "bad_request"), (408, nil, nil, "timeout"), (409, nil, nil, "unavailable"),
      (429, nil, nil, "rate_limited"), (429, "insufficient_quota", nil, "auth"), (500, nil, nil, "unavailable"),
      (502, nil, nil, "unavailable"), (529, nil, "overloaded_error", "unavailable"),
      (400, "context_length_exceeded", nil, "context_overflow"),
    ] as [(Int, String?, String?, String)])
  func statusesClassify(_ status: Int, _ code: String?, _ type: String?, _ expected: String) {
    #expect(ProviderError.classify(status: status, code: code, type: type).rawValue == expected)
  }

  @Test func paymentAndQuotaAreNeverRetried() {
    for (status, code) in [(402, nil), (429, "insufficient_quota")] as [(Int, String?)] {
      let error = ProviderError.http(
        status: status, message: "", details: nil, code: code, type: nil, retryAfter: nil, shouldRetry: nil)
      #expect(!error.isRetryable)
    }
    let retryable = ProviderError.http(
      status: 429, message: "", details: nil, code: "rate_limit_exceeded", type: nil, retryAfter: nil, shouldRetry: nil)
    #expect(retryable.isRetryable)
  }
}

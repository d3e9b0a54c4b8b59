import Testing

@testable import TGPTEvents

@Suite struct ErrorKindTests {
  @Test func exitCodesMatchTheSpecTable() {
    let expected: [ErrorKind: Int32] = [
      .rateLimited: 75, .timeout: 75, .auth: 77, .unavailable: 69, .badRequest: 65, .badInput: 65,
      .contextOverflow: 65, .config: 78, .interrupted: 130, .internal: 1, .usage: 64,
    ]
    #expect(Set(ErrorKind.allCases) == Set(expected.keys))
    for kind in ErrorKind.allCases { #expect(kind.exitCode == expected[kind], "\(kind)") }
  }

  @Test func wireCodesAreTheSpecWords() {
    let words = Set(ErrorKind.allCases.map(\.rawValue))
    let spec: Set = [
      "rate_limited", "timeout", "auth", "unavailable", "bad_request", "bad_input", "context_overflow", "config",
      "interrupted", "internal",
    ]
    #expect(spec.isSubset(of: words))
  }

  @Test func onlyTemporaryFailuresAreRetryable() {
    #expect(ErrorKind.allCases.filter(\.isRetryable) == [.rateLimited, .timeout, .unavailable])
  }
}

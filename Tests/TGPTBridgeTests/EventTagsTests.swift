import TGPTBridge
import TGPTEvents
import Testing

@Suite struct EventTagsTests {
  @Test func readsIdTypeAndCodeAndRetagsInPlace() throws {
    let line = Array(#"{"type":"error","error":"x","code":"auth","id":"c1-7","session_id":"s"}"#.utf8)
    let tags = try #require(EventTags.read(line))
    #expect(tags.id == "c1-7" && tags.type == "error" && tags.code == "auth" && tags.isTerminal)
    let retagged = line.withUnsafeBytes { tags.retagged($0, id: "mine \"quoted\"") }
    #expect(
      String(decoding: retagged, as: UTF8.self)
        == #"{"type":"error","error":"x","code":"auth","id":"mine \"quoted\"","session_id":"s"}"#)
  }

  @Test func nestedIdsAndNonObjectsAreNotTags() throws {
    let nested = try #require(EventTags.read(Array(#"{"type":"chunk","usage":{"id":"inner"},"content":"id"}"#.utf8)))
    #expect(nested.id == nil && !nested.isTerminal)
    #expect(EventTags.read(Array("[1,2]".utf8)) == nil)
    #expect(EventTags.read(Array("{broken".utf8)) == nil)
  }

  @Test func rateLimiterAllowsABurstThenRefills() {
    let start = ContinuousClock.now
    var limiter = RateLimiter(perSecond: 10, burst: 3, now: start)
    var answers: [Bool] = (0..<4).map { _ in limiter.allow(now: start) }
    answers.append(limiter.allow(now: start + .milliseconds(100)))
    answers.append(limiter.allow(now: start + .milliseconds(100)))
    #expect(answers == [true, true, true, false, true, false])
    var unlimited = RateLimiter(perSecond: 0, burst: 1, now: start)
    let allowed = (0..<1000).filter { _ in unlimited.allow(now: start) }.count
    #expect(allowed == 1000)
  }

  @Test func metricsAreValidPrometheusText() {
    let metrics = BridgeMetrics()
    metrics.recordConnectionOpened()
    metrics.recordError(code: "bad_input")
    metrics.recordRefusal("auth")
    let text = metrics.prometheusText()
    #expect(text.contains("tgpt_connections_open 1\n"))
    #expect(text.contains("tgpt_errors_total{code=\"bad_input\"} 1\n"))
    #expect(text.contains("tgpt_connections_refused_total{reason=\"auth\"} 1\n"))
    #expect(text.contains("tgpt_turn_duration_seconds_bucket{le=\"+Inf\"} 0\n"))
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      #expect(line.hasPrefix("tgpt_") && line.split(separator: " ").count == 2, "\(line)")
    }
  }
}

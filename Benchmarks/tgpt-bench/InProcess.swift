import TGPTEvents
import TGPTProviders
import TGPTRender

/// In-process throughput of the hot paths, printed as one JSON object per figure:
///   sse_decode_encode: provider SSE bytes → SSE parser → chunk decoder → chunk event → NDJSON bytes
///   ndjson_decode:     NDJSON event lines → splitter → Event.decode (what every reader of our output does)
///   render_styled:     a 2 MB Markdown answer in 64-byte chunks → styled terminal bytes
/// Set by `tgpt-bench only NAME` to run one benchmark (for profiling).
nonisolated(unsafe) var onlyBenchmark: String?

func measure(_ name: String, events: Int, bytes: Int, runs: Int = 7, _ body: () throws -> Int) rethrows {
  if let onlyBenchmark, onlyBenchmark != name { return }
  // Under a profiler one run is enough.
  let runs = onlyBenchmark == nil ? runs : 1
  var seconds: [Double] = []
  let clock = ContinuousClock()
  for _ in 0..<runs {
    var produced = 0
    let elapsed = try clock.measure { produced = try body() }
    precondition(produced == events, "\(name): expected \(events) events, got \(produced)")
    seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
  }
  seconds.sort()
  let median = seconds[seconds.count / 2]
  let line: JSON = [
    "benchmark": .string(name), "events": .int(events), "bytes": .int(bytes),
    "median_s": .double((median * 1e6).rounded() / 1e6),
    "events_per_s": .int(Int(Double(events) / median)),
    "mb_per_s": .double((Double(bytes) / median / 1e6 * 10).rounded() / 10),
  ]
  print(line.compactText)
}

func runInProcessBenchmarks() throws {
  let count = 200_000
  let words = ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog. ", "日本語 ", "😀 "]
  var sse: [UInt8] = []
  for i in 0..<count {
    let chunk =
      #"data: {"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1700000000,"model":"fake/model-1","choices":[{"index":0,"delta":{"content":""#
      + words[i % words.count] + #""},"finish_reason":null}]}"# + "\n\n"
    sse.append(contentsOf: chunk.utf8)
  }
  sse.append(contentsOf: #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#.utf8)
  sse.append(contentsOf: "\n\ndata: [DONE]\n\n".utf8)

  try measure("sse_decode_encode", events: count, bytes: sse.count) {
    var decoder = ProviderStreamDecoder(kind: .openrouter)
    var writer = JSONWriter(capacity: 4096)
    var sink: [UInt8] = []
    sink.reserveCapacity(1 << 16)
    var events = 0
    let emit = { (output: ProviderOutput) in
      guard case .content(let text) = output else { return }
      writer.reset()
      Event(.chunk(.init(content: text, model: "fake/model-1")), id: "r-000000000001").encode(into: &writer)
      writer.byte(0x0A)
      sink.append(contentsOf: writer.bytes)
      if sink.count > 60_000 { sink.removeAll(keepingCapacity: true) }
      events += 1
    }
    try sse.withUnsafeBytes { all in
      var offset = 0
      while offset < all.count {
        let end = min(offset + 16_384, all.count)
        try decoder.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end]), emit)
        offset = end
      }
    }
    try decoder.finish(emit)
    return events
  }

  var ndjson: [UInt8] = []
  for i in 0..<count {
    ndjson.append(
      contentsOf: Event(.chunk(.init(content: words[i % words.count], model: "fake/model-1")), id: "r-000000000001")
        .line)
  }
  try measure("ndjson_decode", events: count, bytes: ndjson.count) {
    var splitter = NDJSONSplitter()
    var events = 0
    var failure: ProtocolError?
    ndjson.withUnsafeBytes { all in
      var offset = 0
      while offset < all.count {
        let end = min(offset + 65_536, all.count)
        splitter.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end])) { item in
          guard case .line(let bytes, _) = item else { return }
          do throws(ProtocolError) {
            if case .chunk = try Event.decode(bytes).payload { events += 1 }
          } catch {
            failure = error
          }
        }
        offset = end
      }
    }
    if let failure { throw failure }
    return events
  }

  for (name, text) in [
    ("render_styled", Corpus.markdown(bytes: 2_000_000)),
    ("render_styled_prose_only", Corpus.prose(bytes: 2_000_000)),
    ("render_styled_code_only", String(repeating: Corpus.codeBlock(lines: 1000), count: 30)),
  ] {
    let corpus = text
    let chunks = Corpus.chunks(corpus, size: 64)
    measure(name, events: chunks.count, bytes: corpus.utf8.count) {
      var renderer = EventRenderer(options: RenderOptions(output: .styled(live: false), width: 100))
      var produced = 0
      for chunk in chunks {
        renderer.text(chunk)
        for case .stdout(let bytes) in renderer.take() { produced += bytes.count }
      }
      renderer.finish()
      _ = renderer.take()
      precondition(produced > corpus.utf8.count / 2)
      return chunks.count
    }
  }
}

import TGPTEvents
import Testing

@testable import TGPTRender

/// The plain-mode fast path must give exactly what the full decoder gives, or decline.
@Suite struct ChunkScannerTests {
  static let lines: [(line: String, fast: Bool)] = [
    (#"{"type":"chunk","content":"plain"}"#, true),
    (#"{"type":"chunk","content":"a\nb\t\"c\"\\d\/e\rf\bg\fh"}"#, true),
    (#"{"type":"chunk","content":""}"#, true),
    (#"{"type":"chunk","content":"\\"}"#, true),
    (#"{"type":"chunk","content":"x\"}"#, false),
    (#"{"type":"chunk","content":"日本語 🚀 long enough to take the eight-byte steps \n twice over"}"#, true),
    (
      #"{"type":"chunk","content":"x","finish_reason":null,"model":"bench/model","usage":null,"tools_used":[]}"#,
      true
    ),
    (#"{"type":"chunk","content":"x","id":"r1","session_id":"s","n":12,"ok":true,"no":false,"o":{}}"#, true),
    (#"{"type":"chunk","content":"x","n":0}"#, true),
    // \u escapes (accents, surrogate pairs) are left to the full decoder.
    (#"{"type":"chunk","content":"caf\u00e9"}"#, false),
    (#"{"type":"chunk","content":"\ud83d\ude00!"}"#, false),
    // Other layouts: keys in another order, whitespace, nested values, numbers it does not read.
    (#"{"content":"x","type":"chunk"}"#, false),
    (#"{"type": "chunk", "content": "x"}"#, false),
    (#"{"type":"chunk","content":"x" }"#, false),
    (#"{"type":"chunk","content":"x","usage":{"prompt_tokens":3}}"#, false),
    (#"{"type":"chunk","content":"x","n":1.5}"#, false),
    (#"{"type":"chunk","content":"x","n":-1}"#, false),
    (#"{"type":"chunk","content":"x","model":"a\"b"}"#, false),
    // A `content` key inside another string is text, not a key.
    (#"{"type":"chunk","content":"x","note":"\"content\":\"y\""}"#, false),
    (#"{"type":"chunk","content":"x","note":",\"content\":\"y"}"#, false),
    (#"{"type":"chunk","content":"x","note":"content"}"#, true),
    // What `decode` rejects must be declined too.
    (#"{"type":"chunk","content":"x","content":"y"}"#, false),
    (#"{"type":"chunk","content":"x","type":"chunk"}"#, false),
    (#"{"type":"chunk","content":"x","model":5}"#, false),
    (#"{"type":"chunk","content":"x","finish_reason":[]}"#, false),
    (#"{"type":"chunk","content":"x","name":1}"#, false),
    (#"{"type":"chunk","content":"x","provider":[]}"#, false),
    (#"{"type":"chunk","content":"x","reason":{}}"#, false),
    (#"{"type":"chunk","content":"x","call_id":true}"#, false),
    (#"{"type":"chunk","content":"x","name":"n","call_id":null,"provider":"p","reason":"r"}"#, true),
    (#"{"type":"chunk","content":"x"} trailing"#, false),
    (#"{"type":"chunk","content":"x"}}"#, false),
    (#"{"type":"chunk","content":"x","n":01}"#, false),
    (#"{"type":"chunk","content":"x\q"}"#, false),
    (#"{"type":"chunk","content":"x"#, false),
    (#"{"type":"chunk","content":"x\"#, false),
    (#"{"type":"chunk","content":"x","#, false),
    (#"{"type":"chunk","content":"x","k"}"#, false),
    (#"{"type":"chunk","content":"x","k":}"#, false),
    (#"{"type":"chunk","content":"x","k":nul}"#, false),
    (#"{"type":"complete","processing_time_ms":1}"#, false),
  ]

  @Test func agreesWithTheDecoderOrDeclines() throws {
    for (line, fast) in Self.lines {
      var out: [UInt8] = [0x2A]
      let accepted = Array(line.utf8).withUnsafeBytes { ChunkScanner.appendContent($0, to: &out) }
      #expect(accepted == fast, "\(line)")
      guard accepted else {
        #expect(out == [0x2A], "nothing appended when declined: \(line)")
        continue
      }
      guard case .chunk(let chunk)? = (try? Event.decode(line))?.payload else {
        Issue.record("accepted what decode rejects: \(line)")
        continue
      }
      #expect(Array(out.dropFirst()) == Array(chunk.content.utf8), "\(line)")
    }
  }

  /// Bytes that are not UTF-8 are not copied raw: both shortcuts decline, and the decoder's
  /// U+FFFD is what is written, whichever layout the line has.
  @Test func contentThatIsNotUTF8IsLeftToTheDecoder() throws {
    for bad: [UInt8] in [[0xFF], [0xC3, 0x28], [0xE2, 0x82], Array("abcdefgh".utf8) + [0xED, 0xA0, 0x80]] {
      let line = Array(#"{"type":"chunk","content":""#.utf8) + bad + Array(#""}"#.utf8)
      var out: [UInt8] = [0x2A]
      #expect(!line.withUnsafeBytes { ChunkScanner.appendContent($0, to: &out) }, "\(bad)")
      #expect(!line.withUnsafeBytes { Event.appendChunkContent($0, to: &out) }, "\(bad)")
      #expect(out == [0x2A])
      guard case .chunk(let chunk) = try line.withUnsafeBytes({ try Event.decode($0) }).payload else {
        Issue.record("not a chunk")
        continue
      }
      #expect(chunk.content.unicodeScalars.contains("\u{FFFD}"), "\(bad)")
    }
  }

  /// Plain output through `handleLine` is the same whichever path a line takes, and an error
  /// event after the fast path still ends the answer and sets the exit code.
  @Test func plainOutputIsTheDecodedContent() throws {
    var renderer = EventRenderer(options: RenderOptions(output: .plain(terminal: false), width: 80))
    var expected = ""
    for (line, _) in Self.lines {
      let decoded = try? Event.decode(line)
      let result = Array(line.utf8).withUnsafeBytes { bytes in
        Result { () throws(ProtocolError) in try renderer.handleLine(bytes, at: .now) }
      }
      if case .chunk(let chunk)? = decoded?.payload {
        expected += chunk.content
        #expect(throws: Never.self, "\(line)") { try result.get() }
      } else if decoded == nil {
        #expect(throws: ProtocolError.self, "\(line)") { try result.get() }
      }
    }
    let error = #"{"type":"error","error":"boom","code":"rate_limited"}"#
    try Array(error.utf8).withUnsafeBytes { try renderer.handleLine($0, at: .now) }
    var stdout: [UInt8] = []
    var stderr = ""
    for output in renderer.take() {
      switch output {
      case .stdout(let bytes): stdout += bytes
      case .stderr(let bytes): stderr += String(decoding: bytes, as: UTF8.self)
      }
    }
    #expect(String(decoding: stdout, as: UTF8.self) == expected + "\n")
    #expect(stderr.contains("boom"))
    #expect(renderer.exitCode == ErrorKind.rateLimited.exitCode)
  }
}

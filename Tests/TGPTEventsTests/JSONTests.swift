import Testing

@testable import TGPTEvents

@Suite struct JSONTests {
  @Test func roundTripKeepsMemberOrderAndNumberText() throws {
    let text = #"{"z":1,"a":[true,false,null],"cost":0.95,"big":12345678901234567890,"e":1e-7,"s":"x"}"#
    let value = try JSON.parse(text)
    #expect(value.compactText == text)
    #expect(value.objectValue?.keys == ["z", "a", "cost", "big", "e", "s"])
  }

  @Test func decodesEscapesAndSurrogatePairs() throws {
    let value = try JSON.parse(#""tab\tquote\"slash\/nl\n \u00e9 \ud83d\ude00 \u0000""#)
    #expect(value.stringValue == "tab\tquote\"slash/nl\n é 😀 \u{0}")
  }

  @Test func loneSurrogateBecomesReplacementCharacter() throws {
    #expect(try JSON.parse(#""\ud83d!""#).stringValue == "\u{FFFD}!")
  }

  @Test func writerEscapesOnlyWhatJSONRequires() {
    let value = JSON.string("a\"b\\c\n\r\t\u{1}é😀\u{2028}")
    #expect(value.compactText == #""a\"b\\c\n\r\t\u0001é😀"# + "\u{2028}\"")
  }

  @Test func writerOutputParsesBackToTheSameString() throws {
    let samples = [
      "", "plain", "\u{0}\u{1f}\u{7f}", "\"\\\"", "日本語のテキスト", "👩‍👩‍👧 🇯🇵", String(repeating: "ab\n", count: 1000),
    ]
    for sample in samples {
      #expect(try JSON.parse(JSON.string(sample).compactText).stringValue == sample)
    }
  }

  @Test(arguments: [
    "", "{", "[1,]", "{\"a\":}", "tru", "01", "1.", "-", "\"unterminated", "{\"a\" 1}", "[1 2]", "1 2", "{,}",
    "\"bad \\x escape\"", "nul",
  ])
  func rejectsMalformedInput(_ text: String) {
    #expect(throws: ProtocolError.self) { try JSON.parse(text) }
  }

  @Test func limitsNestingDepth() {
    let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
    #expect(throws: ProtocolError.self) { try JSON.parse(deep) }
    let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
    #expect((try? JSON.parse(fine)) != nil)
  }

  @Test func errorNamesTheByteOffset() {
    do {
      _ = try JSON.parse("{\"a\":1,}")
      Issue.record("expected a failure")
    } catch {
      #expect(error.description.hasPrefix("invalid JSON at byte 8"))
    }
  }

  @Test func objectSubscriptReplacesInPlaceAndRemoves() {
    var object = JSONObject([("a", 1), ("b", 2)])
    object["a"] = 3
    object["c"] = 4
    object["b"] = nil
    #expect(JSON.object(object).compactText == #"{"a":3,"c":4}"#)
  }

  @Test func numbersConvert() throws {
    #expect(try JSON.parse("42").intValue == 42)
    #expect(try JSON.parse("4.0").intValue == 4)
    #expect(try JSON.parse("4.5").intValue == nil)
    #expect(try JSON.parse("-2.5e1").doubleValue == -25)
    #expect(JSON.double(3).compactText == "3")
    #expect(JSON.double(0.25).compactText == "0.25")
    #expect(JSON.double(.infinity).compactText == "null")
  }

  @Test func scannerSkipsWhatItDoesNotRead() throws {
    let text = #"{"skip":{"deep":[1,{"x":"}"}]},"want":"yes","after":null}"#
    var found: String?
    try text.withUTF8Bytes { bytes throws(ProtocolError) in
      var scanner = JSONScanner(bytes)
      try scanner.beginObject()
      while let key = try scanner.nextKey() {
        if key.equals("want") { found = try scanner.readString() } else { try scanner.skipValue() }
      }
      try scanner.expectEnd()
    }
    #expect(found == "yes")
  }
}

@Suite struct AppendStringTests {
  static func append(_ json: String) throws -> String {
    var out: [UInt8] = []
    try Array(json.utf8).withBytes { bytes throws(ProtocolError) in
      var scanner = JSONScanner(bytes)
      try scanner.appendString(to: &out)
    }
    return String(decoding: out, as: UTF8.self)
  }

  @Test func appendsTheSameTextAsReadString() throws {
    for json in [#""plain""#, #""a\nb\t\"c\"\\d\/e""#, #""\u00e9\ud83d\ude00x\u0041""#, #""""#, #""tail\n""#] {
      let expected = try JSON.parse(json).stringValue
      #expect(try Self.append(json) == expected, "\(json)")
    }
    #expect(throws: ProtocolError.self) { try Self.append(#""bad \q""#) }
  }

  /// A string skipped is checked as a string read is: a bad escape fails either way.
  @Test func skippingAStringChecksItsEscapes() throws {
    func skip(_ json: String) throws {
      try Array(json.utf8).withUnsafeBytes { bytes in
        var scanner = JSONScanner(bytes)
        try scanner.skipValue()
      }
    }
    for json in [#"["\="]"#, #"["\u12"]"#, #"["\uZZZZ"]"#, #"{"a":"\x"}"#] {
      #expect(throws: ProtocolError.self, "\(json)") { try skip(json) }
    }
    try skip(#"["\" \\ \/ \u00e9"]"#)
  }

  @Test func chunkFastPathAgreesWithDecode() throws {
    let lines = [
      #"{"type":"chunk","content":"a\nb","finish_reason":null,"model":"m","usage":null,"tools_used":[],"id":"r"}"#,
      #"{"type":"chunk","content":"x","model":5}"#,
      #"{"type":"chunk","content":"x","content":"y"}"#,
      #"{"type":"chunk","content":"x"} trailing"#,
      #"{"type":"complete","processing_time_ms":1}"#,
      // Found by fuzz-ndjson: a bad escape in a member the shortcut skipped and decode reads.
      #"{"type":"chunk","content":"x","id":"\\ \/ \="}"#,
      #"{"type":"chunk","content":"x","model":"\u12"}"#,
      #"{"type":"chunk","content":"x","usage":{"k":"\q"}}"#,
    ]
    for line in lines {
      var out: [UInt8] = []
      let fast = Array(line.utf8).withUnsafeBytes { Event.appendChunkContent($0, to: &out) }
      let decoded = try? Event.decode(line)
      if fast {
        guard case .chunk(let chunk)? = decoded?.payload else {
          Issue.record("fast path accepted what decode rejects: \(line)")
          continue
        }
        #expect(String(decoding: out, as: UTF8.self) == chunk.content)
      } else {
        #expect(out.isEmpty, "nothing appended when declined: \(line)")
      }
    }
  }
}

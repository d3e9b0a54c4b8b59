import TGPTEvents
import Testing

/// What may be attached, and how a message line carries it.
@Suite struct AttachmentTests {
  static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]

  @Test func theTypeIsReadFromTheBytesNotTheName() throws {
    let signatures: [([UInt8], String)] = [
      (Self.png, "image/png"), ([0xFF, 0xD8, 0xFF, 0xE0], "image/jpeg"), (Array("GIF89a..".utf8), "image/gif"),
      (Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8), "image/webp"),
      (Array("plain text, ünïcode\n".utf8), "text/plain"),
    ]
    for (bytes, type) in signatures {
      #expect(try Attachment(name: "file.png", bytes: bytes).mediaType == type)
    }
    for refused: [UInt8] in [[0x25, 0x50, 0x44, 0x46, 0x00], [0xC3, 0x28], Array("a\u{0}b".utf8)] {
      #expect(throws: AttachmentError.unsupported(name: "x.txt")) { try Attachment(name: "x.txt", bytes: refused) }
    }
  }

  @Test func limitsAreCheckedPerFileAndPerMessage() throws {
    let limits = AttachmentLimits(imageBytes: 16, textBytes: 4, totalBytes: 20, count: 2)
    #expect(throws: AttachmentError.tooLarge(name: "big.txt", size: 5, limit: 4)) {
      try Attachment(name: "big.txt", bytes: Array("12345".utf8), limits: limits)
    }
    let image = try Attachment(name: "a.png", bytes: Self.png + [1, 2, 3, 4], limits: limits)
    #expect(throws: AttachmentError.tooLarge(name: "the attachments together", size: 32, limit: 20)) {
      try limits.check([image, image])
    }
    #expect(throws: AttachmentError.tooMany(3, limit: 2)) { try limits.check([image, image, image]) }
    #expect(
      AttachmentError.tooLarge(name: "x", size: 6_000_000, limit: 5 << 20).description
        == "cannot attach x: 5.7 MiB is over the limit of 5 MiB")
  }

  @Test func dataURLsDecodeInBase64OrPercentEncoding() throws {
    let image = try Attachment(dataURL: "data:image/png;base64," + Base64.encode(Self.png), name: "shot")
    #expect(image.bytes == Self.png && image.mediaType == "image/png" && image.name == "shot.png")
    #expect(image.url == "data:image/png;base64," + Base64.encode(Self.png))
    let text = try Attachment(dataURL: "data:,caf%C3%A9%0A", name: "note")
    #expect(text.text == "café\n" && text.name == "note.txt")
    let unpadded = try Attachment(dataURL: "data:text/plain;base64,aGk", name: "n.md")
    #expect(unpadded.text == "hi" && unpadded.name == "n.md")
    for bad in [
      "data:image/png;base64,@@@@", "data:image/png;base64,a", "image/png;base64,AAAA", "data:,%zz", "data:text/plain,",
      "data:",
    ] {
      #expect(throws: AttachmentError.self) { try Attachment(dataURL: bad, name: "x") }
    }
  }

  @Test func base64DecodingUndoesEncodingInBothAlphabets() {
    for length in 0..<40 {
      let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) }
      #expect(Base64.decode(Base64.encode(bytes)) == bytes)
      #expect(Base64.decode(Base64.encode(bytes, urlSafe: true)) == bytes)
    }
    #expect(Base64.decode("aGk=\n") == nil, "no whitespace in a data URL")
    #expect(Base64.decode("aG=k") == nil, "nothing after padding")
  }

  @Test func onlyHTTPURLsAreImagesByURL() throws {
    let image = try Attachment(url: "https://example.com/a/cat.JPG?size=2")
    #expect(image.name == "cat.JPG" && image.mediaType == "image/jpeg" && image.bytes == nil)
    for bad in ["file:///etc/passwd", "ftp://x/y.png", "https://exa mple.com/x.png", "javascript:alert(1)"] {
      #expect(throws: AttachmentError.badURL(bad)) { try Attachment(url: bad) }
    }
  }

  @Test func aMessageLineCarriesAttachmentsAsDataURLsOrImageURLs() throws {
    let line = try JSON.parse(
      #"{"message":"","attachments":["data:text/plain;base64,aGk=",{"name":"../../etc/shot","url":"data:image/png;base64,"#
        + Base64.encode(Self.png) + #""},{"name":"c.gif","url":"https://example.com/c"}]}"#)
    let message = try InputMessage(json: line)
    #expect(message.attachments.map(\.name) == ["attachment-1.txt", "shot.png", "c.gif"])
    #expect(message.attachments.map(\.mediaType) == ["text/plain", "image/png", "image/*"])
    #expect(try InputMessage(json: message.json) == message, "the wire form reads back the same")
    for (bad, why) in [
      (#"{"message":"hi","attachments":"x"}"#, "\"attachments\" must be an array"),
      (#"{"message":"hi","attachments":[{"name":"x"}]}"#, "attachment 1 has no \"url\""),
      (#"{"message":"hi","attachments":["file:///etc/passwd"]}"#, "a URL must start with http:// or https://"),
      (#"{"message":""}"#, "\"message\" is empty"),
    ] {
      #expect(throws: ProtocolError.self) { try InputMessage(json: try JSON.parse(bad)) }
      do {
        _ = try InputMessage(json: try JSON.parse(bad))
      } catch {
        #expect(error.description.contains(why), "\(error.description)")
      }
    }
  }
}

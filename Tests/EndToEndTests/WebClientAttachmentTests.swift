import Foundation
import TGPTEvents
import Testing

/// Images and text files from the web client: chosen with the attach button, dropped or pasted,
/// resized in the page, checked against the server's message limit, and shown in the
/// conversation and its history. The fake provider records what arrives.
extension WebClientTests {
  /// A bridge over `tgpt-session serve --provider openai` against the fake, recording as `key`.
  static func openAIServer(key: String, _ arguments: [String] = []) async throws -> BridgeServerProcess {
    let url = try await FakeProviderServer.shared.url("key=\(key);text=seen")
    return try await BridgeServerProcess.start(
      arguments, child: [Harness.binary("tgpt-session").path, "serve", "--provider", "openai", "--base-url", url],
      env: Harness.environment(["OPENAI_API_KEY": "k"]))
  }

  /// The content parts of the last user message the fake received for `key`.
  static func sentParts(_ key: String) async throws -> [JSON] {
    let body = try #require(try await FakeProviderServer.shared.requests(key: key).last?["body"])
    let user = try #require(body["messages"]?.arrayValue?.last { $0["role"]?.stringValue == "user" })
    return user["content"]?.arrayValue ?? [user["content"] ?? .null]
  }

  /// The bytes of each `image_url` part's data: URL.
  static func images(_ parts: [JSON]) -> [(type: String, bytes: [UInt8])] {
    parts.compactMap { part -> (String, [UInt8])? in
      guard let url = part["image_url"]?["url"]?.stringValue, url.hasPrefix("data:"),
        let comma = url.firstIndex(of: ","), let data = Data(base64Encoded: String(url[url.index(after: comma)...]))
      else { return nil }
      return (String(url[url.index(url.startIndex, offsetBy: 5)..<comma]), [UInt8](data))
    }
  }

  static let chips = "document.querySelectorAll('#chips .chip').length"
  static let limit = "document.getElementById('composer').dataset.maxMessageBytes"
  static let status = "document.getElementById('attach-status').textContent"

  /// JavaScript that draws a 4000×3000 photo-like picture (waves and noise), makes it a JPEG
  /// file and hands it to the page by `how`: "drop" on the conversation or "paste" in the box.
  static func bigPhoto(_ how: String) -> String {
    """
    (async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 4000;
      canvas.height = 3000;
      const context = canvas.getContext('2d');
      const pixels = context.createImageData(4000, 3000);
      for (let y = 0, i = 0; y < 3000; y++) {
        for (let x = 0; x < 4000; x++, i += 4) {
          const wave = 60 * Math.sin(x / 90) * Math.cos(y / 130);
          pixels.data[i] = 120 + wave + Math.random() * 40;
          pixels.data[i + 1] = 90 + y / 30 + Math.random() * 40;
          pixels.data[i + 2] = 160 - wave + Math.random() * 40;
          pixels.data[i + 3] = 255;
        }
      }
      context.putImageData(pixels, 0, 0);
      const blob = await new Promise((done) => canvas.toBlob(done, 'image/jpeg', 0.95));
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], 'photo.jpg', { type: 'image/jpeg' }));
      if ('\(how)' === 'drop') {
        document.getElementById('log').dispatchEvent(
          new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      } else {
        document.getElementById('message').dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
      }
      return blob.size;
    })()
    """
  }

  @Test func aPictureAndATextFileGoWithTheMessageAndComeBackFromTheHistory() async throws {
    let key = AttachmentEndToEndTests.key()
    let server = try await Self.openAIServer(key: key)
    defer { server.terminate() }
    let directory = Harness.scratchDirectory()
    let hostile = "<img src=x onerror=window.pwned=1>.png"
    for name in ["red.png", hostile] {
      try Data(AttachmentEndToEndTests.png).write(to: directory.appendingPathComponent(name))
    }
    try "first line\nsecond line\n".write(
      to: directory.appendingPathComponent("notes.md"), atomically: true, encoding: .utf8)
    try await Chromium.with { browser in
      let page = try await browser.newPage(width: 1280, height: 800)
      try await Self.openChat(page, server.baseURL + "/")
      #expect(try await page.string("document.getElementById('attach').getAttribute('aria-label')") != "")
      try await page.chooseFiles(
        "#file-input", ["red.png", "notes.md", hostile].map { directory.appendingPathComponent($0).path })
      try await page.waitFor("three chips", "\(Self.chips) === 3")
      #expect(
        try await page.string("[...document.querySelectorAll('#chips .chip-name')].map((e) => e.textContent).join('|')")
          == "red.png|notes.md|\(hostile)")
      #expect(try await page.int("document.querySelectorAll('#chips img.chip-thumb').length") == 2, "thumbnails")
      try await page.type("What is this?")
      try await page.press("Enter")
      try await page.waitFor("the answer", "\(Self.answerStatus) === 'complete'")
      #expect(try await page.int(Self.chips) == 0)
      #expect(try await page.bool("document.getElementById('chips').hidden"), "the chips went with the message")

      // What the provider got: the picture byte for byte (small enough as it was), the text fenced.
      let parts = try await Self.sentParts(key)
      let images = Self.images(parts)
      #expect(images.map(\.type) == ["image/png;base64", "image/png;base64"], "\(parts)")
      #expect(images.first?.bytes == AttachmentEndToEndTests.png)
      #expect(images.first.flatMap { ImageSize.of($0.bytes) }.map { [$0.width, $0.height] } == [1, 1])
      let texts = parts.compactMap { $0["text"]?.stringValue }
      #expect(texts.first?.hasPrefix("notes.md:\n```") == true && texts.first?.contains("second line") == true)
      #expect(texts.last == "What is this?", "\(texts)")

      for shown in ["as sent", "from the history"] {
        let bubble = "document.querySelector('.message.user .bubble')"
        #expect(try await page.int("\(bubble).querySelectorAll('img.sent-image').length") == 2, "\(shown)")
        #expect(
          try await page.string("\(bubble).querySelector('img.sent-image').src").hasPrefix("data:image/png;base64,"))
        #expect(
          try await page.string("[...\(bubble).querySelectorAll('img.sent-image')].map((e) => e.alt).join('|')")
            == "red.png|\(hostile)", "\(shown)")
        #expect(try await page.string("\(bubble).querySelector('.sent-file').textContent") == "notes.md")
        #expect(try await page.bool("\(bubble).textContent.endsWith('What is this?')"))
        #expect(try await page.int("document.querySelectorAll('img[src=\"x\"]').length") == 0, "\(shown)")
        #expect(try await page.evaluate("window.pwned") == .null, "a file's name never runs (\(shown))")
        #expect(try await page.problems() == [], "\(shown)")
        try await page.reload()
        try await page.waitFor("the history", "document.querySelectorAll('.message.user img.sent-image').length === 2")
      }
    }
  }

  @Test func aLargePhotoIsResizedToFitAServerThatTakesPhotosAndShownOnAPhone() async throws {
    let key = AttachmentEndToEndTests.key()
    let server = try await Self.openAIServer(key: key, ["--max-message-bytes", "8388608"])
    defer { server.terminate() }
    try await Chromium.with { browser in
      let page = try await browser.newPage(width: 360, height: 740, mobile: true)
      try await Self.openChat(page, server.baseURL + "/")
      try await page.waitFor("the limit from config.json", "\(Self.limit) === '8388608'")
      let original = try await page.int(Self.bigPhoto("drop"))
      try await page.waitFor("the photo's chip", "\(Self.chips) === 1")
      #expect(try await page.string("document.querySelector('#chips .chip-size').textContent").hasSuffix("· resized"))
      let said = try await page.string(Self.status)
      #expect(try await page.bool("document.getElementById('attach-status').hidden"), "\(said)")
      try await page.type("Where was this taken?")
      try await page.press("Enter")
      try await page.waitFor("the answer", "\(Self.answerStatus) === 'complete'")

      let images = Self.images(try await Self.sentParts(key))
      let image = try #require(images.first, "an image_url part")
      #expect(image.type == "image/jpeg;base64")
      let size = try #require(ImageSize.of(image.bytes), "a JPEG's size")
      #expect(size.width == 1568 && size.height == 1176, "\(size), from 4000×3000")
      #expect(image.bytes.count < original, "\(image.bytes.count) bytes, from \(original)")
      print("WebClientAttachmentTests: a 4000×3000 JPEG of \(original) bytes went as \(size) in \(image.bytes.count)")

      // A phone with a photo in the conversation and a file waiting to go: nothing wider than
      // the screen, every control big enough to touch.
      let notes = Harness.scratchDirectory().appendingPathComponent("a-rather-long-name-for-some-notes.txt")
      try "notes\n".write(to: notes, atomically: true, encoding: .utf8)
      try await page.chooseFiles("#file-input", [notes.path])
      try await page.waitFor("the file's chip", "\(Self.chips) === 1")
      try await page.waitFor(
        "the photo to be drawn", "document.querySelector('.message.user img.sent-image')?.complete === true")
      #expect(try await page.int("document.documentElement.scrollWidth") <= 360)
      #expect(try await page.int("document.getElementById('log').scrollWidth") <= 360)
      #expect(
        try await page.int("document.querySelector('.message.user img.sent-image').getBoundingClientRect().right")
          <= 360)
      let small = try await page.evaluate(
        """
        [...document.querySelectorAll('button, textarea, input')].filter((e) => e.offsetParent !== null)
          .map((e) => e.getBoundingClientRect()).filter((r) => r.width < 44 || r.height < 44).length
        """)
      #expect(small.intValue == 0, "every visible control is at least 44×44 px")
      try await page.screenshot(to: Self.screenshots.appendingPathComponent("web-360x740-attachment.png"))
      #expect(try await page.problems() == [])
    }
  }

  @Test func aPhotoThatCannotFitTheDefaultLimitIsStoppedInThePage() async throws {
    let key = AttachmentEndToEndTests.key()
    let server = try await Self.openAIServer(key: key)
    defer { server.terminate() }
    try await Chromium.with { browser in
      let page = try await browser.newPage(width: 1280, height: 800)
      try await Self.openChat(page, server.baseURL + "/")
      try await page.waitFor("the limit from config.json", "\(Self.limit) === '65536'")
      try await page.evaluate(Self.bigPhoto("paste"))
      try await page.waitFor("the photo's chip", "\(Self.chips) === 1")
      try await page.waitFor("the page to say it is too large", "\(Self.status).includes('--max-message-bytes')")
      let said = try await page.string(Self.status)
      #expect(
        said.range(
          of:
            #"^The photo is [0-9.]+ (KB|MB) after resizing; this server accepts 64 KB messages — ask its operator to raise --max-message-bytes$"#,
          options: .regularExpression) != nil, "\(said)")
      try await page.type("Where was this taken?")
      try await page.press("Enter")
      #expect(try await page.string(Self.status) == said, "said again at Enter")
      try await page.screenshot(to: Self.screenshots.appendingPathComponent("web-1280x800-attachment-too-large.png"))
      #expect(try await page.int("document.querySelectorAll('.message').length") == 0, "nothing sent")
      #expect(try await page.string("document.getElementById('message').value") == "Where was this taken?")
      // Without the photo the words go; they are the only request the provider ever got.
      try await page.click("#chips .chip-remove")
      try await page.waitFor(
        "the chip removed", "\(Self.chips) === 0 && document.getElementById('attach-status').hidden")
      try await page.press("Enter")
      try await page.waitFor("the answer", "\(Self.answerStatus) === 'complete'")
      let requests = try await FakeProviderServer.shared.requests(key: key)
      #expect(requests.count == 1)
      #expect(Self.images(try await Self.sentParts(key)).isEmpty)
      #expect(try await page.problems() == [])
    }
  }
}

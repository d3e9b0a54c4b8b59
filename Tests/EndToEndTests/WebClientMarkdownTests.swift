import Foundation
import TGPTEvents
import Testing

extension WebClientTests {
  /// Answers that cross every block boundary the incremental renderer decides on.
  static let trickyMarkdown = [
    markdownAnswer,
    "1. First step\n\n2. Second step\n   - nested a\n   - nested b\n\n   ```sh\n   make test\n   ```\n3. Third\n\nAfter the list.\n",
    "Text\n\n```js\nlet a = 1;\n\nlet b = 2;\n```\nAfter the fence\n\n> a quote\ncontinued\n\n---\n\n# Title\nA *b* **c** `d`\n",
    "Intro line\n| a | b |\n|---|---|\n| 1 | 2 |\n\nend\n\n- x\n- y\n\n  more of y\nlazy line\n\n* other list\n",
    "Line one\r\n\r\nLine – two 🎉\r\n- item\r\n\r\n```\r\nunclosed fence\r\n\r\nstill code",
  ]

  @Test func anAnswerInAnyPiecesEndsAsTheSameDocumentAsAllAtOnceInLinearWork() async throws {
    let server = try await BridgeServerProcess.start()
    defer { server.terminate() }
    let documents = JSON.array(Self.trickyMarkdown.map(JSON.string)).compactText
    try await Chromium.with { browser in
      let page = try await browser.newPage(width: 1280, height: 800)
      try await page.open(server.baseURL + "/")
      // Each document is streamed in pieces of several sizes, and as the fake provider cuts
      // them (a word and its space), repainting after every piece.
      let failures = try await page.string(
        """
        (async () => {
          const { AnswerView } = await import('./answer.js');
          const failures = [];
          let seed = 7;
          const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
          for (const text of \(documents)) {
            const once = new AnswerView(document.createElement('div'));
            once.append(text);
            once.finish();
            const cuts = [[1], [2], [3], [7], [64], Array.from({ length: 200 }, () => 1 + Math.floor(random() * 12))];
            const words = text.split(/(?<= )/);
            for (const sizes of [...cuts, null]) {
              const view = new AnswerView(document.createElement('div'));
              const pieces = sizes === null ? words : [];
              for (let at = 0, i = 0; sizes !== null && at < text.length; i++) {
                const size = sizes[i % sizes.length];
                pieces.push(text.slice(at, at + size));
                at += size;
              }
              for (const piece of pieces) {
                view.text += piece;
                view.paint(false);
              }
              view.finish();
              if (view.body.innerHTML !== once.body.innerHTML) {
                failures.push(JSON.stringify({ sizes: sizes?.slice(0, 3), text: text.slice(0, 30), got: view.body.innerHTML, want: once.body.innerHTML }));
              }
            }
          }
          // Answers a word at a time: the work per character does not grow with the length
          // (it would grow fourfold from 100 paragraphs to 400 if each repaint took it all).
          const perCharacter = (paragraphs) => {
            const long = Array.from({ length: paragraphs }, (_, n) => `Paragraph ${n} has a dozen words in it, more or less, to stream.`).join('\\n\\n');
            const view = new AnswerView(document.createElement('div'));
            for (const word of long.split(/(?<= )/)) {
              view.text += word;
              view.paint(false);
            }
            view.finish();
            return view.work / long.length;
          };
          const [short, long] = [perCharacter(100), perCharacter(400)];
          if (long > 1.5 * short) failures.push(`work per character: ${short} for 100 paragraphs, ${long} for 400`);
          return failures.join('\\n');
        })()
        """)
      #expect(failures == "")
    }
  }
}

import Foundation
import TGPTEvents

extension BrowserPage {
  /// Chooses `paths` in the file input `selector`, as a person picking files would (the page
  /// gets its `change` event).
  func chooseFiles(_ selector: String, _ paths: [String]) async throws {
    let found = try await send(
      "Runtime.evaluate", ["expression": .string("document.querySelector(\(Self.quoted(selector)))")])
    guard let object = found["result"]?["objectId"]?.stringValue else {
      throw DevTools.Failure(description: "no element \(selector) to choose files in")
    }
    try await send("DOM.setFileInputFiles", ["files": .array(paths.map { .string($0) }), "objectId": .string(object)])
  }
}

/// The pixel size of a PNG or JPEG from its bytes (the PNG's IHDR, the JPEG's start of frame).
enum ImageSize {
  static func of(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
    func number(_ at: Int, _ count: Int) -> Int { bytes[at..<at + count].reduce(0) { $0 << 8 | Int($1) } }
    if bytes.count >= 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return (number(16, 4), number(20, 4)) }
    guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
    var at = 2
    while at + 9 < bytes.count, bytes[at] == 0xFF {
      let marker = bytes[at + 1]
      if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
        return (number(at + 7, 2), number(at + 5, 2))
      }
      at += 2 + number(at + 2, 2)
    }
    return nil
  }
}

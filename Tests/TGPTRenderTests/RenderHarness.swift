import Foundation
import TGPTEvents
import Testing

@testable import TGPTRender

/// Renders test inputs and compares them with golden files.
enum RenderHarness {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

  static func fixture(_ name: String) throws -> String {
    try String(contentsOf: directory.appendingPathComponent("Fixtures/\(name)"), encoding: .utf8)
  }

  static func options(live: Bool, width: Int = 80, hyperlinks: Bool = true) -> RenderOptions {
    RenderOptions(output: .styled(live: live), width: width, hyperlinks: hyperlinks)
  }

  /// Renders Markdown given as chunks; returns what goes to stdout.
  static func render(_ chunks: [String], options: RenderOptions) -> [UInt8] {
    var renderer = EventRenderer(options: options)
    var out: [UInt8] = []
    for chunk in chunks {
      renderer.text(chunk)
      for case .stdout(let bytes) in renderer.take() { out += bytes }
    }
    renderer.finish()
    for case .stdout(let bytes) in renderer.take() { out += bytes }
    return out
  }

  /// Renders an NDJSON event stream; returns stdout and stderr.
  static func renderEvents(_ text: String, options: RenderOptions) throws -> (
    stdout: [UInt8], stderr: [UInt8], exit: Int32
  ) {
    var renderer = EventRenderer(options: options)
    var out: [UInt8] = []
    var err: [UInt8] = []
    var time = ContinuousClock.now
    for line in text.split(separator: "\n") {
      time += .milliseconds(250)
      renderer.handle(try Event.decode(String(line)), at: time)
      for output in renderer.take() {
        switch output {
        case .stdout(let bytes): out += bytes
        case .stderr(let bytes): err += bytes
        }
      }
    }
    renderer.finish()
    for case .stdout(let bytes) in renderer.take() { out += bytes }
    return (out, err, renderer.exitCode)
  }

  /// Escapes shown readably: ESC as `\e`, other controls as `\xNN`; newlines kept.
  static func readable(_ bytes: [UInt8]) -> String {
    var text = ""
    for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
      switch scalar.value {
      case 0x1B: text += "\\e"
      case 0x0A: text += "\n"
      case 0x5C: text += "\\\\"
      case 0..<0x20, 0x7F, 0x80..<0xA0: text += String(format: "\\x%02X", scalar.value)
      default: text.unicodeScalars.append(scalar)
      }
    }
    return text
  }

  /// Compares with `Golden/<name>.txt`; `RECORD_GOLDEN=1` rewrites the file instead.
  static func checkGolden(_ name: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = directory.appendingPathComponent("Golden/\(name).txt")
    if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
      try actual.write(to: url, atomically: true, encoding: .utf8)
      return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
      Issue.record("no golden file \(name).txt: run with RECORD_GOLDEN=1", sourceLocation: sourceLocation)
      return
    }
    guard expected != actual else { return }
    let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let index =
      zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
      ?? min(expectedLines.count, actualLines.count)
    let want = index < expectedLines.count ? String(expectedLines[index]) : "<end>"
    let got = index < actualLines.count ? String(actualLines[index]) : "<end>"
    Issue.record(
      "\(name): line \(index + 1) differs\n  expected: \(want)\n  actual:   \(got)\n(RECORD_GOLDEN=1 rewrites golden files)",
      sourceLocation: sourceLocation)
  }
}

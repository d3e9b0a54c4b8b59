import Foundation
import TGPTEvents
import Testing

/// The man pages keep every character of the help they are made from: each character of a
/// help text that is not ASCII (日本, —, …) is in the page, as itself or as a groff escape
/// (`\[u65E5]`), not dropped as swift-argument-parser's generator does (Scripts/generate-docs.sh).
@Suite struct ManPageTests {
  @Test(arguments: DocExampleTests.programs) func theManPageKeepsEveryCharacterOfTheHelp(_ program: String) async throws
  {
    let dump = try await Harness.run(program, ["--experimental-dump-help"])
    #expect(dump.status == 0)
    let page = try String(
      contentsOf: DocSources.root.appendingPathComponent("man/\(program).1"), encoding: .utf8)
    var missing: [String] = []
    for scalar in Self.nonASCII(in: try JSON.parse(dump.text)).sorted(by: { $0.value < $1.value }) {
      let escape = "\\[u" + String(format: "%04X", scalar.value) + "]"
      if !page.contains(escape), !page.unicodeScalars.contains(scalar) {
        missing.append("\(scalar) (U+\(String(format: "%04X", scalar.value)))")
      }
    }
    #expect(
      missing.isEmpty,
      "man/\(program).1 lacks \(missing.joined(separator: ", ")) of the help: run Scripts/generate-docs.sh")
  }

  /// The characters beyond ASCII in every string of `json`.
  static func nonASCII(in json: JSON) -> Set<Unicode.Scalar> {
    switch json {
    case .string(let text): Set(text.unicodeScalars.filter { !$0.isASCII })
    case .array(let items): items.reduce(into: []) { $0.formUnion(nonASCII(in: $1)) }
    case .object(let object): object.reduce(into: []) { $0.formUnion(nonASCII(in: $1.value)) }
    default: []
    }
  }
}

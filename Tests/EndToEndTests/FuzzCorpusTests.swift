import Foundation
import Testing

/// The fuzz targets' committed corpora (Fuzz/corpus): seeds, and every input that once crashed
/// a parser or broke an invariant, replayed through the same checks as under libFuzzer.
@Suite struct FuzzCorpusTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Fuzz/corpus").standardized

  @Test(arguments: ["sse", "chunks", "ndjson", "toml", "markdown", "intake"])
  func everyInputOfTheCorpusPasses(target: String) async throws {
    let directory = Self.corpus.appendingPathComponent("fuzz-\(target)")
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    #expect(!files.isEmpty, "no corpus for fuzz-\(target)")
    let result = try await Harness.run("fuzz-\(target)", [directory.path])
    #expect(result.status == 0, "fuzz-\(target) failed on \(result.stderr.split(separator: "\n").last ?? "")")
    #expect(result.text == "\(files.count) inputs\n")
  }
}

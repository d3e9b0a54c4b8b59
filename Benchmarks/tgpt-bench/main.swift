// tgpt-bench: in-process benchmarks (no arguments), `tgpt-bench corpus DIR`, which writes the
// inputs Benchmarks/run.sh feeds to the programs, or `tgpt-bench turn DIR`, a turn's own cost
// with a store in DIR (Benchmarks/session.sh), or `tgpt-bench store DIR [POSTGRES-URL]`, the
// store's share of a turn on SQLite (in DIR) and PostgreSQL (Benchmarks/store.sh).
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "corpus", let directory = arguments.dropFirst().first {
  let answer = Corpus.markdown(bytes: 2_000_000)
  try write(Corpus.events(answer, size: 64), to: "\(directory)/answer-2mb.ndjson")
  try write(Array(answer.utf8), to: "\(directory)/answer-2mb.md")
  for lines in [250, 500, 1000, 2000] {
    try write(Corpus.events(Corpus.codeBlock(lines: lines), size: 64), to: "\(directory)/code-\(lines).ndjson")
  }
} else if arguments.first == "turn", let directory = arguments.dropFirst().first {
  try await runTurnBenchmark(directory: directory)
} else if arguments.first == "store", let directory = arguments.dropFirst().first {
  try await runStoreBenchmark(directory: directory, postgresURL: arguments.dropFirst(2).first)
} else {
  if arguments.first == "only" { onlyBenchmark = arguments.dropFirst().first }
  try runInProcessBenchmarks()
}

func write(_ bytes: [UInt8], to path: String) throws {
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  guard fd >= 0 else { throw ProtocolError.badEvent("cannot write \(path)") }
  defer { close(fd) }
  try FileIO.writeAll(fd, bytes)
}

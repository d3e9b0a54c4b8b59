import FuzzSupport
import TGPTEvents
import TGPTRender

/// The renderer on any answer text cut into chunks anywhere between characters: styled (live
/// and append-only, any width) it neither crashes nor hangs, and plain its output is exactly
/// the chunks put together, byte for byte.
func fuzzMarkdown(_ input: UnsafeRawBufferPointer) {
  var recipe = FuzzInput(input)
  let seed = recipe.number(in: 0...255)
  let width = recipe.number(in: 1...160)
  let live = recipe.number(in: 0...1) == 1
  let text = String(decoding: recipe.rest, as: UTF8.self)
  let scalars = Array(text.unicodeScalars)
  var chunks: [String] = []
  for piece in FuzzInput.pieces(of: Array(repeating: 0, count: scalars.count), seed: seed, longest: 24) {
    var chunk = String.UnicodeScalarView()
    chunk.append(contentsOf: scalars[piece.indices])
    chunks.append(String(chunk))
  }

  var plain = RenderOptions(output: .plain(terminal: false), width: width)
  plain.exact = true
  let written = render(chunks, plain)
  FuzzInput.require(written == Array(text.utf8), "plain output is not the answer: \(text.debugDescription)")
  _ = render(chunks, RenderOptions(output: .styled(live: live), width: width, hyperlinks: seed % 2 == 0))
}

/// The stdout bytes of rendering one answer given in `chunks`.
private func render(_ chunks: [String], _ options: RenderOptions) -> [UInt8] {
  var renderer = EventRenderer(options: options)
  var stdout: [UInt8] = []
  func collect() {
    for case .stdout(let bytes) in renderer.take() { stdout += bytes }
  }
  let origin = ContinuousClock.now
  renderer.handle(Event(.start(.init(model: "m", provider: "fuzz"))), at: origin)
  for (index, chunk) in chunks.enumerated() {
    renderer.handle(Event(.chunk(.init(content: chunk))), at: origin + .milliseconds(index))
    collect()
  }
  renderer.handle(Event(.complete(.init(processingTimeMs: 1))), at: origin + .milliseconds(chunks.count))
  renderer.finish()
  collect()
  return stdout
}

#if FUZZING
  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzMarkdown(UnsafeRawBufferPointer(start: data, count: size))
    return 0
  }
#else
  @main enum Replay { static func main() { FuzzReplay.main(fuzzMarkdown) } }
#endif

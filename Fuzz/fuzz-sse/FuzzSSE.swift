import FuzzSupport
import TGPTProviders

/// The SSE parser and each wire format's decoder on any bytes: no crash, no hang, and the same
/// outputs (or the same error) whether the body comes whole or in reads of any size.
func fuzzSSE(_ input: UnsafeRawBufferPointer) {
  var recipe = FuzzInput(input)
  let kind: ProviderKind = recipe.number(in: 0...1) == 0 ? .openrouter : .anthropic
  let seed = recipe.number(in: 0...255)
  let body = recipe.rest
  let whole = decode([body[...]], kind: kind)
  let split = decode(FuzzInput.pieces(of: body, seed: seed), kind: kind)
  FuzzInput.require(whole == split, "\(kind): whole \(whole) != split \(split)")
}

/// The outputs of a body given in `pieces`, and how it failed, if it did.
private func decode(_ pieces: [ArraySlice<UInt8>], kind: ProviderKind) -> [String] {
  var decoder = ProviderStreamDecoder(kind: kind)
  var outputs: [String] = []
  do {
    for piece in pieces {
      try piece.withUnsafeBytes { bytes in try decoder.feed(bytes) { outputs.append("\($0)") } }
    }
    try decoder.finish { outputs.append("\($0)") }
  } catch {
    outputs.append("error: \(error)")
  }
  return outputs
}

#if FUZZING
  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzSSE(UnsafeRawBufferPointer(start: data, count: size))
    return 0
  }
#else
  @main enum Replay { static func main() { FuzzReplay.main(fuzzSSE) } }
#endif

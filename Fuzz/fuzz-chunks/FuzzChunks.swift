import FuzzSupport
import TGPTProviders

/// Each wire format's decoder on any JSON-ish text, as the data of one SSE event and as a whole
/// non-streaming response body: no crash, no hang.
func fuzzChunks(_ input: UnsafeRawBufferPointer) {
  var recipe = FuzzInput(input)
  let kind: ProviderKind = recipe.number(in: 0...1) == 0 ? .openrouter : .anthropic
  let events = recipe.rest.split(separator: 0x0A, omittingEmptySubsequences: false)
  // Each line becomes an event's data, so a line can be a chunk, a `[DONE]` or anything else.
  var body: [UInt8] = []
  for event in events { body += Array("data: ".utf8) + event + [0x0A, 0x0A] }
  // What libFuzzer checks here is that neither way crashes or hangs: errors are answers too.
  var decoder = ProviderStreamDecoder(kind: kind)
  try? body.withUnsafeBytes { bytes in try decoder.feed(bytes) { _ in } }
  try? decoder.finish { _ in }
  var whole = ProviderStreamDecoder(kind: kind)
  try? recipe.rest.withUnsafeBytes { bytes in try whole.decodeWhole(bytes) { _ in } }
}

#if FUZZING
  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzChunks(UnsafeRawBufferPointer(start: data, count: size))
    return 0
  }
#else
  @main enum Replay { static func main() { FuzzReplay.main(fuzzChunks) } }
#endif

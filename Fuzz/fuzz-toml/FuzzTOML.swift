import FuzzSupport
import TGPTEvents
import TGPTProviderOptions

/// The config file's TOML reader on any text: no crash, no hang, and a document that parses
/// also yields its layout (the editor's view of the same bytes), and the other way round.
func fuzzTOML(_ input: UnsafeRawBufferPointer) {
  let bytes = Array(input)
  let text = String(decoding: bytes, as: UTF8.self)
  let parsed = Result { () throws(TOMLReader.Failure) in try TOMLReader.parse(text) }
  let layout = Result { () throws(TOMLReader.Failure) in try TOMLReader.layout(Array(text.utf8)) }
  switch (parsed, layout) {
  case (.success, .success), (.failure, .failure): break
  default: FuzzInput.require(false, "parse and layout disagree on \(text.debugDescription)")
  }
  if case .success(let layout) = layout {
    for statement in layout.statements {
      FuzzInput.require(statement.range.upperBound <= text.utf8.count, "a statement past the end")
    }
  }
}

#if FUZZING
  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzTOML(UnsafeRawBufferPointer(start: data, count: size))
    return 0
  }
#else
  @main enum Replay { static func main() { FuzzReplay.main(fuzzTOML) } }
#endif

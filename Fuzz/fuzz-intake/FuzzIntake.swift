import FuzzSupport
import TGPTBridgeServer
import TGPTEvents

/// The server's intake of WebSocket messages on any frames: frames put together into messages
/// (RFC 6455 §5.4) and each message read as a request or refused with an error event. No crash,
/// no hang; a text message accepted is UTF-8 within the limit, and an id refused is a string.
func fuzzIntake(_ input: UnsafeRawBufferPointer) {
  var recipe = FuzzInput(input)
  let maxBytes = recipe.number(in: 0...3) == 0 ? 16 : 4096
  var assembly = MessageAssembly(maxBytes: maxBytes)
  var data = recipe.rest[...]
  // Each frame: a head byte (bit 0-1: text, binary or continuation; bit 7: FIN), a length
  // byte, then that many payload bytes (fewer at the end of the input).
  while let head = data.popFirst() {
    let length = Int(data.popFirst() ?? 0)
    let payload = data.prefix(length)
    data = data.dropFirst(length)
    let kind: MessageAssembly.Kind = [.text, .binary, .continuation, .text][Int(head & 3)]
    switch assembly.add(kind, fin: head & 0x80 != 0, payload: payload) {
    case .incomplete: continue
    case .violation: return  // the connection is closed: nothing after this is read
    case .message(let bytes, let binary, let size):
      FuzzInput.require(size <= maxBytes || bytes.isEmpty, "a message over the limit was kept")
      FuzzInput.require(binary || MessageAssembly.isUTF8(bytes), "a text message that is not UTF-8 passed")
      switch MessageIntake.read(text: bytes, binary: binary, totalBytes: size, maxBytes: maxBytes) {
      case .relay: FuzzInput.require(!binary && size <= maxBytes, "a binary or oversized message was relayed")
      case .reject: continue
      }
    }
  }
}

#if FUZZING
  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzIntake(UnsafeRawBufferPointer(start: data, count: size))
    return 0
  }
#else
  @main enum Replay { static func main() { FuzzReplay.main(fuzzIntake) } }
#endif

import FuzzSupport
import TGPTEvents
import TGPTRender

/// The NDJSON splitter and the event decoder on any bytes: the same lines whether the bytes
/// come whole or in reads of any size; an event decoded, encoded and decoded again is the same
/// event; and both plain-mode shortcuts that copy a chunk's content (the protocol's and
/// tgpt-render's one-pass scanner) agree with the decoder, and append nothing when they decline.
func fuzzNDJSON(_ input: UnsafeRawBufferPointer) {
  var recipe = FuzzInput(input)
  let seed = recipe.number(in: 0...255)
  let maxLineBytes = recipe.number(in: 0...1) == 0 ? 64 : NDJSONSplitter.defaultMaxLineBytes
  let data = recipe.rest
  let whole = split([data[...]], maxLineBytes: maxLineBytes)
  let pieces = split(FuzzInput.pieces(of: data, seed: seed), maxLineBytes: maxLineBytes)
  FuzzInput.require(whole == pieces, "whole \(whole) != in pieces \(pieces)")
  for case .line(let line) in whole { checkEvent(line) }
}

private enum Item: Equatable {
  case line([UInt8])
  case overlong(number: Int, tail: [UInt8])
}

private func split(_ pieces: [ArraySlice<UInt8>], maxLineBytes: Int) -> [Item] {
  var splitter = NDJSONSplitter(maxLineBytes: maxLineBytes, reportsOverlongAtEnd: true)
  var items: [Item] = []
  let collect = { (item: NDJSONSplitter.Item) in
    switch item {
    case .line(let bytes, _): items.append(.line(Array(bytes)))
    case .overlong(let number, let tail): items.append(.overlong(number: number, tail: tail))
    }
  }
  for piece in pieces { piece.withUnsafeBytes { splitter.feed($0, collect) } }
  splitter.finish(collect)
  return items
}

private func checkEvent(_ line: [UInt8]) {
  let decoded = line.withUnsafeBytes { bytes in Result { () throws(ProtocolError) in try Event.decode(bytes) } }
  let decodedContent: [UInt8]? =
    if case .success(let event) = decoded, case .chunk(let chunk) = event.payload { Array(chunk.content.utf8) } else {
      nil
    }
  for shortcut in [Event.appendChunkContent, ChunkScanner.appendContent] {
    var copied: [UInt8] = [0x2A]
    let took = line.withUnsafeBytes { shortcut($0, &copied) }
    guard took else {
      FuzzInput.require(copied == [0x2A], "a shortcut declined \(line) but appended \(copied)")
      continue
    }
    FuzzInput.require(decodedContent != nil, "a shortcut took a line that does not decode as a chunk: \(line)")
    FuzzInput.require(
      copied.dropFirst().elementsEqual(decodedContent ?? []), "a shortcut copied \(copied) from \(line)")
  }
  guard case .success(let event) = decoded else { return }
  let again = Result { () throws(ProtocolError) in try Event.decode(event.jsonText) }
  FuzzInput.require(again == .success(event), "\(event) encoded and decoded is \(again)")
}

#if FUZZING
  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzNDJSON(UnsafeRawBufferPointer(start: data, count: size))
    return 0
  }
#else
  @main enum Replay { static func main() { FuzzReplay.main(fuzzNDJSON) } }
#endif

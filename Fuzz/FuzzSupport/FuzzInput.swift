/// Reads a fuzz input as a recipe: a few numbers taken from its front (how to split the rest,
/// a width), then the rest as the data. The same bytes always make the same recipe.
package struct FuzzInput {
  private var bytes: ArraySlice<UInt8>

  package init(_ input: UnsafeRawBufferPointer) { bytes = ArraySlice(input) }

  /// The next byte as a number in `range` (the range's lower bound once the input is used up).
  package mutating func number(in range: ClosedRange<Int>) -> Int {
    guard let byte = bytes.popFirst() else { return range.lowerBound }
    return range.lowerBound + Int(byte) % (range.count)
  }

  /// What is left.
  package var rest: [UInt8] { Array(bytes) }

  /// `data` cut into pieces whose sizes come from `seed` (1 to `longest` bytes each), as reads
  /// of a pipe or a socket might cut it.
  package static func pieces(of data: [UInt8], seed: Int, longest: Int = 64) -> [ArraySlice<UInt8>] {
    var pieces: [ArraySlice<UInt8>] = []
    var start = 0
    var state = UInt32(truncatingIfNeeded: seed) &* 2_654_435_761 | 1
    while start < data.count {
      state ^= state << 13
      state ^= state >> 17
      state ^= state << 5
      let size = 1 + Int(state % UInt32(longest))
      let end = min(data.count, start + size)
      pieces.append(data[start..<end])
      start = end
    }
    return pieces
  }

  /// Stops the program when an invariant does not hold, saying which (libFuzzer keeps the input).
  package static func require(_ condition: Bool, _ what: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: \(what())") }
  }
}

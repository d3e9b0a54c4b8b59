/// How far apart two words are, for "did you mean …?" hints: optimal string alignment
/// distance, where an insertion, a deletion and a swap of two neighbouring characters each
/// count one (`exprot` is one edit from `export`), and so does a substitution, unless
/// `keyboard` asks for slips of the finger only: then a letter replaced by one that is not
/// its neighbour on a QWERTY keyboard counts two (`lisr` is one edit from `list`, `gist`
/// two). Compare lowercase words.
package enum EditDistance {
  /// The distance between `a` and `b`, by Unicode scalars.
  package static func between(_ a: String, _ b: String, keyboard: Bool = false) -> Int {
    let a = Array(a.unicodeScalars)
    let b = Array(b.unicodeScalars)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : (!keyboard || neighbours(a[i - 1], b[j - 1]) ? 1 : 2)
        var best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { best = min(best, table[i - 2][j - 2] + 1) }
        table[i][j] = best
      }
    }
    return table[a.count][b.count]
  }

  private static let rows: [[Unicode.Scalar]] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"].map {
    Array($0.unicodeScalars)
  }

  /// Whether two letters touch on a QWERTY keyboard (same row side by side, or the row above
  /// or below, where the rows are offset by about half a key).
  static func neighbours(_ x: Unicode.Scalar, _ y: Unicode.Scalar) -> Bool {
    guard let (row, column) = position(x), let (otherRow, otherColumn) = position(y) else { return false }
    switch otherRow - row {
    case 0: return abs(otherColumn - column) == 1
    case 1: return otherColumn == column || otherColumn == column - 1
    case -1: return otherColumn == column || otherColumn == column + 1
    default: return false
    }
  }

  /// Where a lowercase letter is: row, and column within the row.
  private static func position(_ scalar: Unicode.Scalar) -> (row: Int, column: Int)? {
    for (row, keys) in rows.enumerated() {
      if let column = keys.firstIndex(of: scalar) { return (row, column) }
    }
    return nil
  }
}

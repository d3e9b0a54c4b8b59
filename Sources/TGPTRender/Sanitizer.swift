/// Neutralises terminal control in untrusted model text, across chunk boundaries: every escape
/// sequence (CSI, OSC — including hyperlinks and clipboard writes —, DCS, APC, PM, SOS, in their
/// 7-bit and 8-bit forms), C0 controls other than newline and tab, DEL, C1 controls and bidi
/// overrides are removed. Only the renderer itself emits escapes.
package struct Sanitizer: Sendable {
  private enum State: Sendable {
    case text
    /// After ESC.
    case escape
    /// Inside a CSI sequence, until its final byte.
    case controlSequence
    /// Inside an OSC/DCS/APC/PM/SOS string, until BEL or ST (`length` characters so far).
    case controlString(length: Int)
    /// After ESC inside a control string (ESC \ ends it).
    case controlStringEscape(length: Int)
  }

  private var state = State.text
  /// Control strings longer than this are not real ones: the text after is given back.
  private static let maxControlString = 4096

  package init() {}

  /// The text with control removed; a sequence cut by the chunk boundary is finished in the
  /// next call.
  package mutating func clean(_ text: String) -> String {
    if case .text = state, !Self.mayNeedCleaning(text) { return text }
    var output = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      if let kept = step(scalar) { output.append(kept) }
    }
    return String(output)
  }

  private mutating func step(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
    let value = scalar.value
    switch state {
    case .text:
      switch value {
      case 0x0A, 0x09: return scalar
      case 0x1B:
        state = .escape
        return nil
      case 0x9B:
        state = .controlSequence
        return nil
      case 0x90, 0x98, 0x9D, 0x9E, 0x9F:
        state = .controlString(length: 0)
        return nil
      case 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x202A...0x202E, 0x2066...0x2069:
        return nil
      default:
        return scalar
      }
    case .escape:
      switch value {
      case 0x5B: state = .controlSequence  // [
      case 0x5D, 0x50, 0x58, 0x5E, 0x5F: state = .controlString(length: 0)  // ] P X ^ _
      case 0x20...0x2F: break  // intermediate bytes of a short escape: keep waiting for its final byte
      case 0x30...0x7E: state = .text  // a two-character escape (ESC 7, ESC c, …) ends here
      default:
        // Not an escape after all (a newline, a letter of another script): that is text.
        state = .text
        return step(scalar)
      }
      return nil
    case .controlSequence:
      switch value {
      case 0x40...0x7E: state = .text
      case 0x20...0x3F: break  // parameters and intermediates
      case 0x1B: state = .escape
      default:
        // A broken sequence ends at the first character that cannot be part of one.
        state = .text
        return step(scalar)
      }
      return nil
    case .controlString(let length):
      if value == 0x07 || value == 0x9C {
        state = .text
      } else if value == 0x1B {
        state = .controlStringEscape(length: length)
      } else if value == 0x0A || length >= Self.maxControlString {
        // Unterminated: give the rest of the text back rather than swallow the answer.
        state = .text
        return step(scalar)
      } else {
        state = .controlString(length: length + 1)
      }
      return nil
    case .controlStringEscape(let length):
      state = value == 0x5C ? .text : .controlString(length: length + 1)
      return nil
    }
  }

  /// A quick scan: false when the text has nothing that could be control.
  private static func mayNeedCleaning(_ text: String) -> Bool {
    var copy = text
    return copy.withUTF8 { bytes in
      let count = bytes.count
      var i = 0
      while i < count {
        // Eight printable ASCII bytes at a time: no byte has its high bit set, none borrows
        // when 0x20 is taken from it (below space) and none carries into the high bit when 1
        // is added (DEL). A false alarm only sends the word to the byte checks below.
        if i + 8 <= count {
          let word = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
          if (word | (word &- 0x2020_2020_2020_2020) | (word &+ 0x0101_0101_0101_0101)) & 0x8080_8080_8080_8080 == 0 {
            i += 8
            continue
          }
        }
        let byte = bytes[i]
        if byte >= 0x20, byte < 0x7F {
          i += 1
          continue
        }
        if byte == 0x0A || byte == 0x09 {
          i += 1
          continue
        }
        if byte < 0x80 { return true }  // other C0 controls, DEL
        // C1 controls are C2 80–C2 9F in UTF-8; bidi overrides are E2 80 AA–AE and E2 81 A6–A9.
        if byte == 0xC2, i + 1 < count, bytes[i + 1] >= 0x80, bytes[i + 1] <= 0x9F { return true }
        if byte == 0xE2, i + 2 < count {
          let second = bytes[i + 1]
          let third = bytes[i + 2]
          if second == 0x80, (0xAA...0xAE).contains(third) { return true }
          if second == 0x81, (0xA6...0xA9).contains(third) { return true }
        }
        i += 1
      }
      return false
    }
  }
}

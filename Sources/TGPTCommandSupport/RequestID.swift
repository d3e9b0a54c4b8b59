/// Request ids for events: `r-` and 12 random hex digits, unique enough for one stream.
package enum RequestID {
  package static func make() -> String {
    let value = UInt64.random(in: 0..<(1 << 48))
    let hex = String(value, radix: 16)
    return "r-" + String(repeating: "0", count: 12 - hex.count) + hex
  }
}

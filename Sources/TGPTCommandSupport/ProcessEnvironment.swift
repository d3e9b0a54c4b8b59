#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reading the process environment without Foundation.
package enum ProcessEnvironment {
  /// The value of `name`, or nil when unset. Empty values count as unset: `FOO= cmd` is how
  /// people switch a variable off for one command.
  package static func value(_ name: String) -> String? {
    guard let raw = getenv(name) else { return nil }
    let value = String(cString: raw)
    return value.isEmpty ? nil : value
  }

  /// Whether `name` is set at all (even to an empty string), as NO_COLOR's convention requires.
  package static func isSet(_ name: String) -> Bool { getenv(name) != nil }
}

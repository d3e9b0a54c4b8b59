/// Options whose value may be left out (`--speak` or `--speak 'say -v Anna'`, `--cache` or
/// `--cache 15m`), which the argument parser cannot express: before parsing, such an option
/// without a value becomes `--name=` and `OptionalValue.omitted`, which the command reads as
/// "the default". (An empty value will not do: the parser takes it for a missing one.)
package struct OptionalValue: Sendable {
  /// The value given to an option that was given none; no command line can hold it (NUL).
  package static let omitted = "\u{0}"

  /// The option, with its dashes (`--speak`).
  package let name: String
  /// Whether the argument after the option is its value (else the option stands alone).
  package let takes: @Sendable (String) -> Bool

  package init(_ name: String, takes: @escaping @Sendable (String) -> Bool = { !$0.hasPrefix("-") }) {
    self.name = name
    self.takes = takes
  }

  /// `arguments` (without the program name) with each of `options` that has no value given
  /// `omitted`. Arguments after `--` are left alone.
  package static func rewrite(_ arguments: [String], _ options: [OptionalValue]) -> [String] {
    var result: [String] = []
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      if argument == "--" {
        result.append(contentsOf: arguments[index...])
        break
      }
      if let option = options.first(where: { $0.name == argument }) {
        let next = index + 1 < arguments.count ? arguments[index + 1] : nil
        if let next, option.takes(next) {
          result.append(argument + "=" + next)
          index += 2
        } else {
          result.append(argument + "=" + omitted)
          index += 1
        }
        continue
      }
      result.append(argument)
      index += 1
    }
    return result
  }
}

import TGPTCommandSupport
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// The speech command of `--speak`: the words given, or espeak-ng when none are.
enum SpeechCommand {
  /// No command was given and espeak-ng is not installed (exit 69).
  struct Unavailable: KindedError {
    var kind: ErrorKind { .unavailable }
    let description: String
  }

  /// The words of the command for `option` (`OptionalValue.omitted`: the default). espeak-ng gets `--`, so a
  /// sentence starting with `-` is spoken, not read as an option.
  static func words(_ option: String) throws -> [String] {
    guard option == OptionalValue.omitted else { return try ShellWords.split(option) }
    guard onPath("espeak-ng") else {
      throw Unavailable(
        description:
          "--speak without a command uses espeak-ng, which is not on PATH: install it (apt-get install espeak-ng) or name a command, e.g. --speak 'say'"
      )
    }
    return ["espeak-ng", "--"]
  }

  /// Whether an executable `name` is in a directory of PATH.
  static func onPath(_ name: String) -> Bool {
    let path = ProcessEnvironment.value("PATH") ?? "/usr/bin:/bin"
    return path.split(separator: ":").contains { directory in
      access(directory + "/" + name, X_OK) == 0
    }
  }
}

import ArgumentParser
import TGPTEvents

extension AsyncParsableCommand {
  /// Parses the command line and runs the command, reporting failures in the toolkit's format
  /// (`tgpt-<name>: error: …` on stderr) with the exit code of SPEC §4: usage errors 64,
  /// `ExitCode` as thrown, a `KindedError` by its kind, anything unexpected 1. Help and version go to stdout.
  /// Every way out goes through `ExitTasks` and then `ProcessExit.now`. `optionalValues`:
  /// options whose value may be left out.
  package static func runMain(program: String, optionalValues: [OptionalValue] = []) async -> Never {
    Diagnostics.program = program
    var code: Int32 = 0
    do {
      var command = try parseAsRoot(arguments(optionalValues))
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      code = report(error, program: program)
    }
    await ExitTasks.run()
    ProcessExit.now(code)
  }
}

extension ParsableCommand {
  /// `runMain` for commands that need no concurrency runtime (they start faster).
  package static func runMain(program: String, optionalValues: [OptionalValue] = []) -> Never {
    Diagnostics.program = program
    do {
      var command = try parseAsRoot(arguments(optionalValues))
      try command.run()
    } catch {
      ProcessExit.now(report(error, program: program))
    }
    ProcessExit.now(0)
  }

  /// The command line's arguments, with `optionalValues` rewritten (nil: as they are).
  fileprivate static func arguments(_ optionalValues: [OptionalValue]) -> [String]? {
    guard !optionalValues.isEmpty else { return nil }
    return OptionalValue.rewrite(Array(CommandLine.arguments.dropFirst()), optionalValues)
  }

  fileprivate static func report(_ error: any Error, program: String) -> Int32 {
    if let kinded = error as? any KindedError {
      Diagnostics.write("\(program): error: \(kinded.description)\n")
      return kinded.kind.exitCode
    }
    let code = exitCode(for: error).rawValue
    let message = fullMessage(for: error)
    if code == 0 {
      if !message.isEmpty { try? FileIO.writeAll(1, message + "\n") }
      return 0
    }
    guard !message.isEmpty else { return code }
    let text = message.hasPrefix("Error: ") ? String(message.dropFirst("Error: ".count)) : message
    Diagnostics.write("\(program): error: \(text)\n")
    return code
  }
}

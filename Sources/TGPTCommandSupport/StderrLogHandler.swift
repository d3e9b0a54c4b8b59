public import ArgumentParser
package import Logging
import TGPTEvents

/// swift-log output on stderr as `tgpt-<name>: <level>: message key=value…`.
package struct StderrLogHandler: LogHandler {
  package var logLevel: Logger.Level
  package var metadata: Logger.Metadata = [:]
  private let program: String

  package init(program: String, level: Logger.Level) {
    self.program = program
    self.logLevel = level
  }

  package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  package func log(event: LogEvent) {
    var line = "\(program): \(event.level): \(event.message)"
    let merged = metadata.merging(event.metadata ?? [:]) { $1 }
    for (key, value) in merged.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
    Diagnostics.write(line + "\n")
  }

  /// Sets up swift-log for the process from `--log-level`, else `TGPT_LOG`, else `warning`.
  package static func bootstrap(program: String, level: Logger.Level?) {
    let chosen =
      level ?? ProcessEnvironment.value("TGPT_LOG").flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .warning
    LoggingSystem.bootstrap { _ in StderrLogHandler(program: program, level: chosen) }
  }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

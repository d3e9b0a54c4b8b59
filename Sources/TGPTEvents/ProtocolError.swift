/// The error type of `TGPTEvents`: malformed JSON, malformed NDJSON lines, over-long lines and
/// events that do not have the shape the protocol requires.
package struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
  private enum Reason: Sendable, Equatable {
    case invalidJSON(offset: Int, what: String)
    case lineTooLong(line: Int, limit: Int)
    case badLine(line: Int, underlying: String)
    case badEvent(String)
    case outputClosed
    case writeFailed(errno: Int32)
    case readFailed(errno: Int32)
  }

  private let reason: Reason

  private init(_ reason: Reason) { self.reason = reason }

  static func invalidJSON(offset: Int, _ what: String) -> ProtocolError {
    ProtocolError(.invalidJSON(offset: offset, what: what))
  }
  static func lineTooLong(line: Int, limit: Int) -> ProtocolError {
    ProtocolError(.lineTooLong(line: line, limit: limit))
  }
  static func badLine(line: Int, _ underlying: String) -> ProtocolError {
    ProtocolError(.badLine(line: line, underlying: underlying))
  }
  /// An event or message whose JSON is valid but whose shape is not.
  package static func badEvent(_ what: String) -> ProtocolError { ProtocolError(.badEvent(what)) }
  static let outputClosed = ProtocolError(.outputClosed)
  static func writeFailed(errno: Int32) -> ProtocolError { ProtocolError(.writeFailed(errno: errno)) }
  static func readFailed(errno: Int32) -> ProtocolError { ProtocolError(.readFailed(errno: errno)) }

  /// How the failure maps onto the shared exit-code table.
  package var kind: ErrorKind {
    switch reason {
    case .invalidJSON, .lineTooLong, .badLine, .badEvent: .badInput
    case .outputClosed, .writeFailed, .readFailed: .internal
    }
  }

  /// The reader of our output went away (EPIPE): the caller should stop quietly and exit 0.
  package var isOutputClosed: Bool { reason == .outputClosed }

  /// The 1-based input line the error is about, when it is about a line.
  package var line: Int? {
    switch reason {
    case .lineTooLong(let line, _), .badLine(let line, _): line
    default: nil
    }
  }

  package var description: String {
    switch reason {
    case .invalidJSON(let offset, let what): "invalid JSON at byte \(offset + 1): \(what)"
    case .lineTooLong(let line, let limit): "line \(line) is longer than \(limit) bytes"
    case .badLine(let line, let underlying): "line \(line): \(underlying)"
    case .badEvent(let what): what
    case .outputClosed: "the reader closed the output"
    case .writeFailed(let code): "write to output failed (errno \(code))"
    case .readFailed(let code): "read from input failed (errno \(code))"
    }
  }
}

import TGPTBridge
package import TGPTEvents

/// What the server makes of one message received from a client: a message, cancel or history
/// request for the child, or the `error` event that answers it at once. Bad input never ends a connection.
package enum MessageIntake {
  package enum Outcome: Equatable {
    case relay(ClientInput)
    case reject(Event.Failure, id: String?)
  }

  package static func read(text bytes: [UInt8], binary: Bool, totalBytes: Int, maxBytes: Int) -> Outcome {
    if binary {
      return .reject(badInput("binary frames are not accepted; send {\"message\": \"…\"} as text"), id: nil)
    }
    if totalBytes > maxBytes {
      return .reject(
        badInput("the message is \(totalBytes) bytes; the limit is \(maxBytes) (--max-message-bytes)"), id: nil)
    }
    let json: JSON
    do throws(ProtocolError) {
      json = try JSON.parse(bytes)
    } catch {
      return .reject(badInput("invalid JSON: \(error)"), id: nil)
    }
    do throws(ProtocolError) {
      return .relay(try ClientInput(json: json))
    } catch {
      return .reject(badInput(error.description), id: json["id"]?.stringValue)
    }
  }

  /// The error for a message over a shared rate limit.
  static func rateLimited(_ refusal: SharedRateLimits.Refusal, settings: ServerSettings) -> Event.Failure {
    let whose = refusal == .address ? "per client address" : "per token"
    let perSecond = refusal == .address ? settings.ratePerSecond : settings.tokenRatePerSecond
    let rate = perSecond == perSecond.rounded() ? String(Int(perSecond)) : String(perSecond)
    return Event.Failure(
      message: "too many messages: the limit is \(rate)/s \(whose), over all its connections",
      code: .rateLimited, retryable: true)
  }

  static func badInput(_ message: String) -> Event.Failure {
    Event.Failure(message: message, code: .badInput, retryable: false)
  }
}

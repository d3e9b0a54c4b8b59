import TGPTEvents

/// A principal's quota refused a connection or request (`PrincipalQuotas`): rate limited.
public struct QuotaRefusal: KindedError, Sendable {
  public let principal: String
  public let refusal: PrincipalQuotas.Refusal

  public var kind: ErrorKind { .rateLimited }

  public var description: String {
    "over the quota of principal \(principal): at most \(refusal); try again once some have ended"
  }

  /// The `error` event's content.
  public var failure: Event.Failure { Event.Failure(message: description, code: .rateLimited, retryable: true) }
}

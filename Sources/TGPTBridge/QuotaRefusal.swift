package import TGPTEvents

/// A principal's quota refused a connection or request (`PrincipalQuotas`): rate limited.
package struct QuotaRefusal: KindedError, Sendable {
  package let principal: String
  package let refusal: PrincipalQuotas.Refusal

  package var kind: ErrorKind { .rateLimited }

  package var description: String {
    "over the quota of principal \(principal): at most \(refusal); try again once some have ended"
  }

  /// The `error` event's content.
  package var failure: Event.Failure { Event.Failure(message: description, code: .rateLimited, retryable: true) }
}

import Crypto
import TGPTEvents

/// The SHA-256 digests the store keys things by: attachments' contents, the response cache's
/// requests. Digests of content, not secrets.
package enum ContentHash {
  /// The digest of `bytes` as 64 lowercase hex digits.
  package static func sha256(_ bytes: some Sequence<UInt8>) -> String {
    var hash = SHA256()
    hash.update(data: Array(bytes))
    return Hex.string(hash.finalize())
  }
}

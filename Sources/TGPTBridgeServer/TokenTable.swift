import Crypto
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// `--tokens FILE`: who may use the server, one principal a line — `PRINCIPAL SHA256HEX`, the
/// hex SHA-256 of that principal's token (`#` starts a comment; blank lines are skipped). Only
/// digests are kept, so the file gives no token away. Re-read on SIGHUP: a bad file keeps the
/// table as it was and says why.
package final class TokenTable: Sendable {
  /// The file's entries: each principal with the digest of its token.
  struct Entry: Hashable, Sendable {
    let principal: String
    let digest: [UInt8]
  }

  package let path: String
  private let entries: Guarded<[Entry]>

  /// Reads `path`; fails with the line that is wrong.
  package init(path: String) throws(ServerError) {
    self.path = path
    entries = Guarded(try Self.read(path))
  }

  /// The principals, in the file's order.
  package var principals: [String] { entries.withLock { $0.map(\.principal) } }

  /// Reads the file again; on failure the table stays as it was. Returns the principals
  /// whose token no longer lets them in (their line removed, or given a new token), whose
  /// open connections should end now.
  @discardableResult
  package func reload() throws(ServerError) -> Set<String> {
    let read = try Self.read(path)
    return entries.withLock { entries in
      let kept = Set(read)
      let revoked = Set(entries.filter { !kept.contains($0) }.map(\.principal))
      entries = read
      return revoked
    }
  }

  /// The principal whose token this is, or nil. Every entry is compared, each in constant
  /// time, so timing tells nothing of which digest was near.
  func principal(presenting token: Substring) -> String? {
    let digest = Self.digest(token)
    return entries.withLock { entries in
      var found: String?
      for entry in entries where AccessPolicy.constantTimeEquals(entry.digest, digest) {
        found = found ?? entry.principal
      }
      return found
    }
  }

  /// The SHA-256 of a token's UTF-8 bytes.
  static func digest(_ token: some StringProtocol) -> [UInt8] { Array(SHA256.hash(data: Array(token.utf8))) }

  /// The line of the tokens file for `principal` holding `token`.
  package static func line(principal: String, token: String) -> String {
    principal + " " + Hex.string(digest(token))
  }

  static func read(_ path: String) throws(ServerError) -> [Entry] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw .badTokens(path: path, line: nil, why: "cannot open it: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    let bytes: [UInt8]
    do throws(ProtocolError) {
      bytes = try FileIO.readAll(fd)
    } catch {
      throw .badTokens(path: path, line: nil, why: "cannot read it: \(error.description)")
    }
    return try parse(String(decoding: bytes, as: UTF8.self), path: path)
  }

  static func parse(_ text: String, path: String) throws(ServerError) -> [Entry] {
    var entries: [Entry] = []
    // Split on the byte: in Swift "\r\n" is one Character, which a split on "\n" never finds
    // (a file written on Windows); a trailing "\r" is then a blank like any other.
    let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    for (index, bytes) in lines.enumerated() {
      let raw = Substring(decoding: bytes, as: UTF8.self)
      let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
      let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{FEFF}" })
      if words.isEmpty { continue }
      func bad(_ why: String) -> ServerError { .badTokens(path: path, line: index + 1, why: why) }
      guard words.count == 2 else { throw bad("expected PRINCIPAL SHA256HEX (see tgpt-ws-bridge token --help)") }
      let principal = String(words[0])
      guard PrincipalRule.isValid(principal) else { throw bad("the principal must be \(PrincipalRule.text)") }
      guard let digest = Hex.bytes(words[1]), digest.count == 32 else {
        throw bad("the second word must be the 64 hex digits of the token's SHA-256, not the token itself")
      }
      if entries.contains(where: { $0.principal == principal }) { throw bad("\(principal) is listed twice") }
      if entries.contains(where: { $0.digest == digest }) { throw bad("this token is already another principal's") }
      entries.append(Entry(principal: principal, digest: digest))
    }
    if entries.isEmpty {
      throw .badTokens(path: path, line: nil, why: "it names no principal, so nobody could connect")
    }
    return entries
  }
}

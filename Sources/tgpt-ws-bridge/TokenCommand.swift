import ArgumentParser
import TGPTBridgeServer
import TGPTCommandSupport
import TGPTEvents

/// `tgpt-ws-bridge token NAME`: a new random token for a principal, and its line for `--tokens`.
struct TokenCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "token",
    abstract: "Make a new random token for a principal, and the line to add to the tokens file.",
    discussion: """
      Prints two lines on stdout: the token (256 random bits; give it to the principal, who \
      presents it as Authorization: Bearer TOKEN) and the line for the file of serve --tokens \
      (PRINCIPAL and the token's SHA-256, so the file gives no token away). Send the server \
      SIGHUP to read the file again. Nothing is stored: a token that is lost is replaced by a \
      new one on the principal's line.

      Examples:
        tgpt-ws-bridge token alice
        tgpt-ws-bridge token alice | { read -r token; read -r line; echo "$line" >> tokens; echo "$token" > alice.token; }
      """
  )

  @Argument(help: ArgumentHelp("The principal: \(PrincipalRule.text).", valueName: "name"))
  var name: String

  func validate() throws {
    guard PrincipalRule.isValid(name) else { throw ValidationError("the principal must be \(PrincipalRule.text)") }
  }

  func run() throws {
    let token = Self.makeToken()
    try FileIO.writeAll(1, token + "\n" + TokenTable.line(principal: name, token: token) + "\n")
    if FileIO.isTerminal(2) {
      Diagnostics.note("give the first line to \(name); add the second to the file of serve --tokens")
    }
  }

  /// `tgpt_` and 256 random bits in URL-safe base64 (no padding), so it goes in `?token=` as
  /// it is and secret scanners can tell it by its prefix.
  static func makeToken() -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<4).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
    return "tgpt_" + Base64.encode(bytes, urlSafe: true)
  }
}

import Foundation
import TGPTEvents
import Testing

/// The human-readable printers (`show`, `search`, the chat's `/history`, also through a
/// server) strip terminal control from stored text as tgpt-render does; the NDJSON forms keep
/// it byte for byte (issue 12, item 10).
@Suite(.timeLimit(.minutes(10))) struct PlainPrinterTests {
  /// A message with a right-to-left override (a file name that reads backwards), an OSC that
  /// sets the window title, a colour, isolates, BEL and a C1 control (NEL).
  static let hostile =
    "invoice\u{202E}fdp.exe \u{1B}]0;pwned\u{07}title \u{1B}[31mred \u{2066}iso\u{2069} bell\u{07}\u{85}end"
  /// What is left of it for people.
  static let shown = "invoicefdp.exe title red iso bellend"

  /// Fails for every scalar that could steer a terminal: C0 but newline and tab, DEL, C1, bidi
  /// controls.
  static func expectNoControl(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    // Named, not shown: a failure message must not steer the terminal it is read on either.
    let control = text.unicodeScalars.filter { scalar in
      let value = scalar.value
      return (value < 0x20 && value != 0x0A && value != 0x09) || (0x7F...0x9F).contains(value)
        || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }.map { "U+" + String($0.value, radix: 16, uppercase: true) }
    #expect(control.isEmpty, "control left", sourceLocation: sourceLocation)
    let titleLeft = text.contains("pwned")
    #expect(!titleLeft, "an escape sequence's text is left", sourceLocation: sourceLocation)
  }

  /// A store in a fresh home holding session `evil`: the hostile message and its echo.
  static func storeWithHostileText() async throws -> [String: String] {
    let env = Harness.environment()
    let turn = try await Harness.run("tgpt-session", ["--provider", "echo", "-s", "evil", hostile], env: env)
    #expect(turn.status == 0, "\(turn.stderr)")
    return env
  }

  @Test func showAndSearchStripControlTheirJSONKeepsIt() async throws {
    let env = try await Self.storeWithHostileText()
    let shown = try await Harness.run("tgpt-session", ["show", "evil"], env: env)
    #expect(shown.status == 0)
    Self.expectNoControl(shown.text)
    #expect(shown.text.occurrences(of: Self.shown) == 2, "\(shown.text)")

    let found = try await Harness.run("tgpt-session", ["search", "title"], env: env)
    #expect(found.status == 0)
    Self.expectNoControl(found.text)
    #expect(found.text.contains("[title]"), "\(found.text)")

    // The NDJSON forms are data, not display: exactly what was stored.
    for arguments in [["show", "--json", "evil"], ["export", "evil"]] {
      let json = try await Harness.run("tgpt-session", arguments, env: env)
      let contents = try json.text.split(separator: "\n").compactMap {
        try JSON.parse(String($0))["content"]?.stringValue
      }
      #expect(contents == [Self.hostile, Self.hostile], "\(arguments)")
    }
  }

  @Test func theRemoteHistoryInTheChatStripsControl() async throws {
    let serverEnv = try await Self.storeWithHostileText()
    let server = try await BridgeServerProcess.start(env: serverEnv)
    defer { server.terminate() }
    let chat = try await TmuxSession.start(
      command: "\(ChatEndToEndTests.session) chat -s evil --api-url \(server.wsBase)",
      env: Harness.environment(["TERM": "xterm-256color"]))
    try await chat.wait("the prompt") { $0.contains("evil>") }
    try await chat.send("/history", "Enter")
    // Every byte the chat wrote to its terminal, not the screen tmux made of them.
    let written = try await chat.waitForOutput("the history") {
      $0.contains("── assistant") && $0.occurrences(of: "end") >= 2
    }
    #expect(written.occurrences(of: Self.shown) == 2, "\(written)")
    #expect(!written.contains("\u{202E}") && !written.contains("\u{2066}"), "a bidi control reached the terminal")
    #expect(!written.contains("pwned"), "the title escape reached the terminal")
    #expect(!written.contains("\u{85}"), "a C1 control reached the terminal")
    try await chat.send("/quit", "Enter")
    try await chat.wait("the exit") { $0.contains("EXIT=0") }
  }
}

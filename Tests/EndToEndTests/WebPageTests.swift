import Foundation
import Testing

/// The web client's files as `tgpt-ws-bridge serve` sends them: types, caching, the
/// Content-Security-Policy, `--no-web`, and the page's own origin passing `--allow-origin`.
@Suite(.timeLimit(.minutes(10))) struct WebPageTests {
  static let policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    + "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

  /// The head of a response (lower-cased names) and its body.
  static func fetch(_ url: String, _ options: String = "") async throws -> (head: [String: String], body: String) {
    let result = try await Harness.shell("curl -s -D - \(options) '\(url)'")
    let text = result.text
    let split = text.range(of: "\r\n\r\n") ?? text.endIndex..<text.endIndex
    var head: [String: String] = [:]
    for (index, line) in text[..<split.lowerBound].split(separator: "\r\n").enumerated() {
      if index == 0 {
        head["status"] = line.split(separator: " ").dropFirst().first.map(String.init)
      } else if let colon = line.firstIndex(of: ":") {
        head[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      }
    }
    return (head, String(text[split.upperBound...]))
  }

  @Test func thePageAndItsFilesComeWithTheirTypesAndAStrictPolicyAndNeedNoToken() async throws {
    let server = try await BridgeServerProcess.start(["--token", "s3cret"])
    defer { server.terminate() }
    let types = [
      "/": "text/html; charset=utf-8", "/app.css": "text/css; charset=utf-8", "/icon.svg": "image/svg+xml",
      "/app.js": "text/javascript; charset=utf-8", "/answer.js": "text/javascript; charset=utf-8",
      "/connection.js": "text/javascript; charset=utf-8", "/markdown.js": "text/javascript; charset=utf-8",
      "/page.js": "text/javascript; charset=utf-8", "/attach.js": "text/javascript; charset=utf-8",
      "/tray.js": "text/javascript; charset=utf-8",
      "/config.json": "application/json",
    ]
    for (path, type) in types {
      let (head, body) = try await Self.fetch(server.baseURL + path)
      #expect(head["status"] == "200" && head["content-type"] == type, "\(path): \(head)")
      #expect(head["content-security-policy"] == Self.policy && head["x-content-type-options"] == "nosniff")
      #expect(head["cache-control"] == "no-cache" && head["content-length"] == String(body.utf8.count))
      // Asked again with the validator it gave: nothing to send.
      let eTag = try #require(head["etag"])
      let again = try await Self.fetch(server.baseURL + path, "-H 'If-None-Match: \(eTag)'")
      #expect(again.head["status"] == "304" && again.body.isEmpty, "\(path)")
      let onlyHead = try await Self.fetch(server.baseURL + path, "-I -o /dev/null")
      #expect(onlyHead.head["status"] == "200" && onlyHead.head["content-length"] == String(body.utf8.count), "\(path)")
    }
    // Nothing inline for the policy to allow, nothing from elsewhere.
    let page = try await Self.fetch(server.baseURL + "/").body
    #expect(page.contains(#"<meta name="viewport""#) && page.contains(#"<script type="module" src="app.js">"#))
    #expect(!page.contains("style=") && !page.contains("<style") && !page.contains("//"))
    #expect(page.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil, "no inline event handlers")
    #expect(page.components(separatedBy: "<script").count == 2, "one script, from a file")
    #expect(try await Self.fetch(server.baseURL + "/nope.js").head["status"] == "404")
    // What the page is told of the server: the message limit, so it can say what will not fit.
    #expect(try await Self.fetch(server.baseURL + "/config.json").body == #"{"max_message_bytes":65536}"#)
    let raised = try await BridgeServerProcess.start(["--max-message-bytes", "8388608"])
    defer { raised.terminate() }
    #expect(try await Self.fetch(raised.baseURL + "/config.json").body == #"{"max_message_bytes":8388608}"#)
  }

  @Test func noWebServesNoPageAndTheRestAsBefore() async throws {
    let server = try await BridgeServerProcess.start(["--no-web"])
    defer { server.terminate() }
    for path in ["/", "/app.js", "/app.css"] {
      #expect(try await Self.fetch(server.baseURL + path).head["status"] == "404", "\(path)")
    }
    // Answered (503 while the child starts, then 200), not 404 like the page.
    _ = try await Harness.eventually("/healthz to answer 200") {
      try await Self.fetch(server.baseURL + "/healthz").head["status"] == "200"
    }
    let answer = try await Harness.run("tgpt-ws-bridge", [server.ws("s")], stdin: "still here\n")
    #expect(answer.answer == "still here")
  }

  @Test func thePagesOwnOriginMayConnectWhateverAllowOriginSays() async throws {
    let server = try await BridgeServerProcess.start(["--allow-origin", "https://good.example"])
    defer { server.terminate() }
    func upgrade(origin: String) async throws -> String {
      try await UpgradeProbe.status(port: server.port, path: "/ws/chat/t", headers: ["Origin": origin])
    }
    #expect(try await upgrade(origin: "http://127.0.0.1:\(server.port)") == "101", "the page's own origin")
    #expect(try await upgrade(origin: "https://127.0.0.1:\(server.port)") == "101", "behind a TLS proxy")
    #expect(try await upgrade(origin: "https://good.example") == "101")
    #expect(try await upgrade(origin: "http://127.0.0.1:1") == "400", "another port is another origin")
    #expect(try await upgrade(origin: "https://evil.example") == "400")
  }

  /// Without `--allow-origin`: on a server without a token only its own page, at an address,
  /// may connect (any site a user visits could otherwise list their sessions); with a token,
  /// any page holding it.
  @Test func withNoListOnlyTheServersOwnPageUsesATokenlessServer() async throws {
    for token in [nil, "s3cret"] {
      let server = try await BridgeServerProcess.start(token.map { ["--token", $0] } ?? [])
      defer { server.terminate() }
      func upgrade(_ headers: [String: String]) async throws -> String {
        try await UpgradeProbe.status(port: server.port, path: "/ws/chat/t?token=s3cret", headers: headers)
      }
      let named = "rebound.example:\(server.port)"
      #expect(try await upgrade(["Origin": "http://127.0.0.1:\(server.port)"]) == "101", "its own page")
      #expect(try await upgrade(["Origin": "https://attacker.example"]) == (token == nil ? "400" : "101"))
      #expect(try await upgrade(["Host": named, "Origin": "http://\(named)"]) == (token == nil ? "400" : "101"))
      #expect(try await upgrade([:]) == "101", "not a page")
    }
  }

  /// DNS rebinding: a page of a name the attacker owns, re-pointed at 127.0.0.1, sends its own
  /// name as Host; without a token only the list lets it in, with one the token keeps it out.
  @Test func aRenamedHostIsItsOwnOriginOnlyOnAServerWithAToken() async throws {
    for (token, expected) in [(nil, "400"), ("s3cret", "101")] {
      let server = try await BridgeServerProcess.start(
        ["--allow-origin", "https://good.example"] + (token.map { ["--token", $0] } ?? []))
      defer { server.terminate() }
      let rebound = "rebound.example:\(server.port)"
      let status = try await UpgradeProbe.status(
        port: server.port, path: "/ws/chat/t?token=s3cret", headers: ["Host": rebound, "Origin": "http://\(rebound)"])
      #expect(status == expected, "token \(token ?? "none")")
    }
  }
}

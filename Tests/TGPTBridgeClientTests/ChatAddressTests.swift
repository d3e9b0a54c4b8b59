import TGPTBridgeClient
import TGPTEvents
import Testing

@Suite struct ChatAddressTests {
  @Test(
    arguments: [
      ("ws://127.0.0.1:8000", "ws://127.0.0.1:8000/ws/chat/s1", nil),
      ("ws://127.0.0.1:8000/", "ws://127.0.0.1:8000/ws/chat/s1", nil),
      ("wss://chat.example/tgpt/", "wss://chat.example/tgpt/ws/chat/s1", nil),
      ("ws://h/ws/chat/work", "ws://h/ws/chat/s1", "work"),
      ("ws://h/ws/chat/", "ws://h/ws/chat/s1", nil),
      ("ws://h:1/ws/chat/work?token=t", "ws://h:1/ws/chat/s1?token=t", "work"),
      ("ws://h:1?token=t", "ws://h:1/ws/chat/s1?token=t", nil),
    ] as [(String, String, String?)])
  func eachSessionGetsItsURLUnderWhatTheUserGave(given: String, url: String, session: String?) {
    let address = ChatAddress(given)
    #expect(address.url(session: "s1") == url)
    #expect(address.session == session)
    #expect(!address.displayed.contains("token"), "the shown URL has no token")
  }
}

@Suite struct OutgoingLineTests {
  @Test func aCancelOwesNoAnswerWhileMessagesDo() {
    let cancel = OutgoingLine.make(Array(#"{"cancel":"m1"}"#.utf8), number: 2, raw: false)
    #expect(!cancel.owesAnswer && cancel.id == nil && cancel.text == #"{"cancel":"m1"}"#)
    let message = OutgoingLine.make(Array("hello".utf8), number: 3, raw: false)
    #expect(message.owesAnswer && message.id == "m3")
    let history = OutgoingLine.make(Array(#"{"history":true,"id":"h"}"#.utf8), number: 4, raw: false)
    #expect(history.owesAnswer && history.id == "h")
  }
}

@Suite struct ConnectTargetTests {
  @Test(
    arguments: [
      // A base URL, as serve prints it or as ws://: the session given, or a new one.
      ("http://127.0.0.1:8000", "work", "ws://127.0.0.1:8000/ws/chat/work", false),
      ("https://chat.example/", "work", "wss://chat.example/ws/chat/work", false),
      ("ws://h:1", nil, "ws://h:1/ws/chat/new-1", true),
      ("ws://h:1/?token=t", nil, "ws://h:1/ws/chat/new-1?token=t", true),
      ("ws://h:1/ws/chat", nil, "ws://h:1/ws/chat/new-1", true),
      ("ws://h:1/ws/chat/", "s", "ws://h:1/ws/chat/s", false),
      // A whole chat URL is kept; a template is filled.
      ("ws://h:1/ws/chat/work", nil, "ws://h:1/ws/chat/work", false),
      ("http://h:1/ws/chat/work?token=t", nil, "ws://h:1/ws/chat/work?token=t", false),
      ("ws://h/{session_id}/x", "s", "ws://h/s/x", false),
      // Another path: any server's endpoint, or with --session a mount prefix.
      ("wss://echo.example/socket", nil, "wss://echo.example/socket", false),
      ("wss://chat.example/tgpt", "s", "wss://chat.example/tgpt/ws/chat/s", false),
    ] as [(String, String?, String, Bool)])
  func theURLToConnectToFollowsWhatWasGiven(given: String, session: String?, url: String, made: Bool) throws {
    let target = try ConnectTarget(given, session: session) { "new-1" }
    #expect(target.url == url)
    #expect(target.madeSession == (made ? "new-1" : nil))
  }

  @Test func aWholeChatURLWithSessionOrAnotherSchemeIsAMistake() {
    #expect(throws: ConnectTarget.Mistake.self) { try ConnectTarget("ws://h/ws/chat/work", session: "other") }
    #expect(throws: ConnectTarget.Mistake.self) { try ConnectTarget("ws://h/{session_id}", session: nil) }
    #expect(throws: ConnectTarget.Mistake.self) { try ConnectTarget("ftp://h", session: "s") }
  }

  @Test func aMadeSessionIdFollowsTheRule() {
    let id = SessionIDRule.make()
    #expect(SessionIDRule.isValid(id) && id.count == 24)
  }
}

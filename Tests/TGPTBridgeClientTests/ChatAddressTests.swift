import TGPTBridgeClient
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

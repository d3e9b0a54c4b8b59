import TGPTEvents
import Testing

@testable import TGPTTools

/// MCP answers are capped like executables' output.
@Suite struct MCPResultCapTests {
  @Test func aLongAnswerIsCutOnACharacterAndSaysSo() {
    let text = String(repeating: "é", count: 100)  // 200 bytes
    let result: JSON = ["content": [["type": "text", "text": .string(text)]]]
    let cut = MCPServer.outcome(of: result, maxBytes: 51)
    #expect(cut.isError)
    #expect(cut.content.hasPrefix(String(repeating: "é", count: 25) + "\n[the answer was cut at 51 bytes of 200]"))
    let whole = MCPServer.outcome(of: result, maxBytes: 200)
    #expect(!whole.isError && whole.content == text)
  }
}

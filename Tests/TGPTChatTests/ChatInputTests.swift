import Testing

@testable import TGPTChat

@Suite struct ChatInputTests {
  @Test func theSeedsCommandsAndOurs() {
    #expect(ChatInput.parse("/help") == .command(.help))
    #expect(ChatInput.parse("  /clear  ") == .command(.clear))
    #expect(ChatInput.parse("/session work") == .command(.session("work")))
    #expect(ChatInput.parse("/new") == .command(.new(nil)))
    #expect(ChatInput.parse("/new x") == .command(.new("x")))
    #expect(ChatInput.parse("/quit") == .command(.quit))
    #expect(ChatInput.parse("/EXIT") == .command(.quit))
    #expect(ChatInput.parse("/history") == .command(.history))
    #expect(ChatInput.parse("/sessions") == .command(.sessions(all: false)))
    #expect(ChatInput.parse("/sessions all") == .command(.sessions(all: true)))
    #expect(ChatInput.parse("/model openai/gpt-4o-mini") == .command(.model("openai/gpt-4o-mini")))
    #expect(ChatInput.parse("/model") == .command(.model(nil)))
    #expect(ChatInput.parse("/system Answer briefly.") == .command(.system(.set("Answer briefly."))))
    #expect(ChatInput.parse("/system") == .command(.system(.show)))
    #expect(ChatInput.parse("/system --clear") == .command(.system(.clear)))
    #expect(ChatInput.parse("/retry") == .command(.retry))
    #expect(ChatInput.parse("/copy") == .command(.copy))
    #expect(ChatInput.parse("/attach") == .command(.attach(.show)))
    #expect(ChatInput.parse("/attach ~/My Photos/a.png") == .command(.attach(.add("~/My Photos/a.png"))))
    #expect(ChatInput.parse("/attach --clear") == .command(.attach(.clear)))
  }

  @Test func messagesEmptyLinesAndTheSlashEscape() {
    #expect(ChatInput.parse("Why is the sky blue?") == .message("Why is the sky blue?"))
    #expect(ChatInput.parse("  keep  my spaces ") == .message("  keep  my spaces "))
    #expect(ChatInput.parse("   ") == .empty)
    #expect(ChatInput.parse("//etc/hosts is a file") == .message("/etc/hosts is a file"))
  }

  @Test func mistakesGetAHintAndAreNotSent() {
    guard case .hint(let unknown) = ChatInput.parse("/sesion work") else {
      Issue.record("a typo was not a hint")
      return
    }
    #expect(unknown.contains("did you mean /session?"))
    guard case .hint(let far) = ChatInput.parse("/xyzzy") else {
      Issue.record("an unknown command was not a hint")
      return
    }
    #expect(!far.contains("did you mean") && far.contains("/help"))
    #expect(ChatInput.parse("/session") == .hint("/session needs an id: /session <id>"))
    guard case .hint(let badID) = ChatInput.parse("/session bad id") else {
      Issue.record("an invalid id was accepted")
      return
    }
    #expect(badID.hasPrefix("invalid session id 'bad id'"))
    #expect(ChatInput.parse("/quit now") == .hint("/quit takes no argument"))
  }

  @Test func aTrailingBackslashContinuesAndAPasteIsTakenWhole() {
    var input = MultilineInput()
    #expect(input.feed("first line \\") == nil)
    #expect(input.isContinuing)
    #expect(input.feed("second") == "first line \nsecond")
    #expect(!input.isContinuing)
    #expect(input.feed("\u{1B}[200~pasted one") == nil)
    #expect(input.feed("/not a command\\") == nil)
    #expect(input.feed("end\u{1B}[201~") == "pasted one\n/not a command\\\nend")
    #expect(input.feed(#"a literal backslash \\"#) == #"a literal backslash \\"#)
    #expect(input.feed("dropped \\") == nil)
    input.reset()
    #expect(input.feed("fresh") == "fresh")
  }

  @Test func clipboardSequenceIsBase64InOSC52() {
    #expect(Clipboard.base64(Array("".utf8)) == "")
    #expect(Clipboard.base64(Array("f".utf8)) == "Zg==")
    #expect(Clipboard.base64(Array("fo".utf8)) == "Zm8=")
    #expect(Clipboard.base64(Array("foo".utf8)) == "Zm9v")
    #expect(Clipboard.base64(Array("foobar".utf8)) == "Zm9vYmFy")
    #expect(Clipboard.osc52("héllo") == "\u{1B}]52;c;aMOpbGxv\u{07}")
  }
}

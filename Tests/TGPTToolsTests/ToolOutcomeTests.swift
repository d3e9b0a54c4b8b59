import TGPTTools
import Testing

@Suite struct ToolOutcomeTests {
  @Test func anOutcomeIsNotAnErrorUnlessSaid() {
    #expect(!ToolOutcome(content: "ok").isError)
    #expect(ToolOutcome(content: "no", isError: true).isError)
  }
}

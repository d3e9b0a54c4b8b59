/// How `tgpt-render` shows a stream; decided once by the executable from flags, environment
/// and whether the output is a terminal.
package struct RenderOptions: Sendable {
  /// How reasoning text is shown.
  package enum Reasoning: String, Sendable, CaseIterable { case show, dim, hide }

  /// How tool activity is shown, on stderr: nothing, a status line per call and per result,
  /// or those and each tool's output, dim, a line at a time.
  package enum Tools: String, Sendable, CaseIterable { case hide, status, show }

  package enum Output: Sendable {
    /// Exactly the answer text. `terminal`: escape sequences in it are still neutralised.
    case plain(terminal: Bool)
    /// Rendered Markdown; `live` redraws the open row (a terminal), otherwise append-only.
    case styled(live: Bool)
  }

  package var output: Output
  package var width: Int
  package var reasoning: Reasoning
  package var hyperlinks: Bool
  /// Whether stderr messages may use colour (stderr is a terminal and colour is allowed).
  package var stderrStyled: Bool
  /// Print a statistics footer on stderr after each answer.
  package var stats: Bool
  package var tools = Tools.status
  /// Whether stderr goes where the answer goes (`2>&1`, both on one terminal): a message
  /// then starts on a line of its own even in plain mode, without a byte added to the answer.
  package var messagesShareOutput = false
  /// Plain output byte for byte: no newline is added after an answer that does not end with
  /// one (by default each answer ends its line, so answers appended to a file stay apart).
  package var exact = false
  package var theme: Theme
  /// The name that starts status and error lines on stderr.
  package var program = "tgpt-render"

  package init(
    output: Output, width: Int = 80, reasoning: Reasoning = .dim, hyperlinks: Bool = false,
    stderrStyled: Bool = false, stats: Bool = false, theme: Theme = .standard
  ) {
    self.output = output
    self.width = width
    self.reasoning = reasoning
    self.hyperlinks = hyperlinks
    self.stderrStyled = stderrStyled
    self.stats = stats
    self.theme = theme
  }
}

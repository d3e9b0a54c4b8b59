/// How `tgpt-render` shows a stream; decided once by the executable from flags, environment
/// and whether the output is a terminal.
public struct RenderOptions: Sendable {
  /// How reasoning text is shown.
  public enum Reasoning: String, Sendable, CaseIterable { case show, dim, hide }

  /// How tool activity is shown, on stderr: nothing, a status line per call and per result,
  /// or those and each tool's output, dim, a line at a time.
  public enum Tools: String, Sendable, CaseIterable { case hide, status, show }

  public enum Output: Sendable {
    /// Exactly the answer text. `terminal`: escape sequences in it are still neutralised.
    case plain(terminal: Bool)
    /// Rendered Markdown; `live` redraws the open row (a terminal), otherwise append-only.
    case styled(live: Bool)
  }

  public var output: Output
  public var width: Int
  public var reasoning: Reasoning
  public var hyperlinks: Bool
  /// Whether stderr messages may use colour (stderr is a terminal and colour is allowed).
  public var stderrStyled: Bool
  /// Print a statistics footer on stderr after each answer.
  public var stats: Bool
  public var tools = Tools.status
  /// Whether stderr goes where the answer goes (`2>&1`, both on one terminal): a message
  /// then starts on a line of its own even in plain mode, without a byte added to the answer.
  public var messagesShareOutput = false
  /// Plain output byte for byte: no newline is added after an answer that does not end with
  /// one (by default each answer ends its line, so answers appended to a file stay apart).
  public var exact = false
  public var theme: Theme
  /// The name that starts status and error lines on stderr.
  public var program = "tgpt-render"

  public init(
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

/// The toolkit's version, shown by `--version` and sent as the HTTP user agent.
public enum ToolkitVersion {
  public static let string = "0.1.0"
}

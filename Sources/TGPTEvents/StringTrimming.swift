extension StringProtocol {
  /// Without the spaces and tabs around it: Markdown's indentation and HTTP's optional
  /// whitespace (other whitespace, such as a newline, is kept).
  package var trimmingSpacesAndTabs: String {
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
    let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
    return String(String.UnicodeScalarView(scalars[first...last]))
  }
}

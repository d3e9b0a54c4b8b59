/// The title `list` shows for a session: the first words of its first message.
package enum SessionTitle {
  /// The first words of `message`: whitespace runs become one space; at most 60 characters.
  package static func of(_ message: String) -> String {
    var title = ""
    var pendingSpace = false
    for scalar in message.unicodeScalars.prefix(400) {
      let space =
        scalar.isASCII ? (scalar == " " || (0x09...0x0D).contains(scalar.value)) : scalar.properties.isWhitespace
      if space {
        pendingSpace = !title.isEmpty
        continue
      }
      if pendingSpace { title.unicodeScalars.append(" ") }
      pendingSpace = false
      title.unicodeScalars.append(scalar)
    }
    return title.count > 60 ? String(title.prefix(59)) + "…" : title
  }
}

extension InputMessage {
  /// The `attachments` of a message line: each a `data:` URL, an image's `http(s)` URL, or
  /// `{"name":…,"url":…}` with either; checked as `-a` files are (type by content, limits).
  static func attachments(in object: JSONObject, limits: AttachmentLimits = .standard) throws(ProtocolError)
    -> [Attachment]
  {
    guard let value = object["attachments"], value != .null else { return [] }
    guard let items = value.arrayValue else {
      throw .badEvent("\"attachments\" must be an array of data: URLs, image URLs or {\"name\",\"url\"} objects")
    }
    do throws(AttachmentError) {
      guard items.count <= limits.count else { throw .tooMany(items.count, limit: limits.count) }
      let attachments = try items.enumerated().map { (index, item) throws(AttachmentError) in
        try attachment(item, number: index + 1, limits: limits)
      }
      try limits.check(attachments)
      return attachments
    } catch {
      throw .badEvent(error.description)
    }
  }

  private static func attachment(_ item: JSON, number: Int, limits: AttachmentLimits) throws(AttachmentError)
    -> Attachment
  {
    let url = item.stringValue ?? item["url"]?.stringValue
    guard let url else { throw .badDataURL("attachment \(number) has no \"url\"") }
    let given = item["name"]?.stringValue.map(Self.baseName).flatMap { $0.isEmpty ? nil : $0 }
    if url.prefix(5).lowercased() == "data:" {
      return try Attachment(dataURL: url, name: given ?? "attachment-\(number)", limits: limits)
    }
    var attachment = try Attachment(url: url)
    if let given { attachment.name = given }
    return attachment
  }

  /// A client's file name without directories or control characters.
  private static func baseName(_ name: String) -> String {
    let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
    return String(
      String.UnicodeScalarView(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }).prefix(200))
  }
}

extension Attachment {
  /// The wire form on a message line, `{"name":…,"url":…}`.
  package var json: JSON { ["name": .string(name), "url": .string(url)] }
}

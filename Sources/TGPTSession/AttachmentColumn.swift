package import TGPTEvents

/// How a message's attachments are stored: the message keeps a list of references
/// (`[{"name","type","sha256"}]`, or `{"name","type","url"}` for an image by URL), and each
/// content once per principal, keyed by its SHA-256, however many messages carry it.
package enum AttachmentColumn {
  /// A content to store once.
  package struct Blob: Sendable, Hashable {
    package var sha256: String
    package var mediaType: String
    package var bytes: [UInt8]
  }

  /// A reference read back from a message.
  package struct Reference: Sendable, Hashable {
    package var name: String
    package var mediaType: String
    /// The content's key; nil for an image by URL.
    package var sha256: String?
    package var url: String?
  }

  /// The column's text (nil without attachments) and the contents it refers to.
  package static func encode(_ attachments: [Attachment]) -> (column: String?, blobs: [Blob]) {
    guard !attachments.isEmpty else { return (nil, []) }
    var references: [JSON] = []
    var blobs: [Blob] = []
    for attachment in attachments {
      var object = JSONObject([("name", .string(attachment.name)), ("type", .string(attachment.mediaType))])
      switch attachment.source {
      case .bytes(let bytes):
        let key = ContentHash.sha256(bytes)
        object["sha256"] = .string(key)
        if !blobs.contains(where: { $0.sha256 == key }) {
          blobs.append(Blob(sha256: key, mediaType: attachment.mediaType, bytes: bytes))
        }
      case .url(let url):
        object["url"] = .string(url)
      }
      references.append(.object(object))
    }
    return (JSON.array(references).compactText, blobs)
  }

  /// The references in a column's text (none for NULL or text that is not a list).
  package static func references(_ column: String?) -> [Reference] {
    guard let column, let list = (try? JSON.parse(column))?.arrayValue else { return [] }
    return list.compactMap { item in
      guard let name = item["name"]?.stringValue, let type = item["type"]?.stringValue else { return nil }
      let reference = Reference(
        name: name, mediaType: type, sha256: item["sha256"]?.stringValue, url: item["url"]?.stringValue)
      return reference.sha256 == nil && reference.url == nil ? nil : reference
    }
  }

  /// The attachments the references name, with their contents from `content`; a reference
  /// whose content is missing is left out (`check` reports it).
  package static func resolve(_ references: [Reference], content: (String) throws -> [UInt8]?) rethrows
    -> [Attachment]
  {
    try references.compactMap { reference in
      if let url = reference.url {
        return Attachment(name: reference.name, mediaType: reference.mediaType, source: .url(url))
      }
      guard let key = reference.sha256, let bytes = try content(key) else { return nil }
      return Attachment(name: reference.name, mediaType: reference.mediaType, source: .bytes(bytes))
    }
  }
}

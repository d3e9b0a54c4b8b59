/// A file or image sent with a message: `-a/--attach`, the chat's `/attach`, or
/// `"attachments"` on a message line.
///
/// Images (PNG, JPEG, GIF, WebP) go to the model as image content; UTF-8 text files go as
/// fenced text under their name. A URL is passed to the provider, which fetches the image
/// itself.
package struct Attachment: Sendable, Hashable {
  /// Where the content is.
  package enum Source: Sendable, Hashable {
    /// The content itself.
    case bytes([UInt8])
    /// An `http(s)` URL of an image, for the provider to fetch.
    case url(String)
  }

  /// The file's name (no directory), shown to the model for text and in the history.
  package var name: String
  /// `image/png`, `image/jpeg`, `image/gif`, `image/webp` or `text/plain`; for a URL, the
  /// image type its name suggests, else `image/*`.
  package var mediaType: String
  package var source: Source

  package init(name: String, mediaType: String, source: Source) {
    self.name = name
    self.mediaType = mediaType
    self.source = source
  }

  /// Whether it goes to the model as an image (else as text).
  package var isImage: Bool { mediaType.hasPrefix("image/") }

  /// The content, nil for a URL.
  package var bytes: [UInt8]? {
    if case .bytes(let bytes) = source { return bytes }
    return nil
  }

  /// The content as a `data:` URL (base64), or the URL itself.
  package var url: String {
    switch source {
    case .bytes(let bytes): "data:\(mediaType);base64,\(Base64.encode(bytes))"
    case .url(let url): url
    }
  }

  /// The text of a text file (nil for an image or a URL).
  package var text: String? {
    guard !isImage, let bytes else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Checks `bytes` and makes an attachment of them: the type is read from the content, never
  /// from the name.
  package init(name: String, bytes: [UInt8], limits: AttachmentLimits = .standard) throws(AttachmentError) {
    guard !bytes.isEmpty else { throw .empty(name: name) }
    guard let type = MediaSniffer.mediaType(of: bytes) else { throw .unsupported(name: name) }
    let limit = type.hasPrefix("image/") ? limits.imageBytes : limits.textBytes
    guard bytes.count <= limit else { throw .tooLarge(name: name, size: bytes.count, limit: limit) }
    self.init(name: name, mediaType: type, source: .bytes(bytes))
  }

  /// An image by URL: `http://` or `https://` only.
  package init(url: String) throws(AttachmentError) {
    let lower = url.lowercased()
    guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), url.utf8.count <= 8192,
      !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
    else { throw .badURL(url) }
    let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    let name = path.split(separator: "/").last.map(String.init) ?? url
    self.init(name: name, mediaType: MediaSniffer.imageType(forName: name) ?? "image/*", source: .url(url))
  }
}

/// How large attachments may be. Providers refuse larger images (Anthropic at 5 MiB), and a
/// text file much over a megabyte would not fit a context window anyway.
package struct AttachmentLimits: Sendable, Hashable {
  package var imageBytes: Int
  package var textBytes: Int
  /// All the attachments of one message together.
  package var totalBytes: Int
  package var count: Int

  package init(imageBytes: Int, textBytes: Int, totalBytes: Int, count: Int) {
    self.imageBytes = imageBytes
    self.textBytes = textBytes
    self.totalBytes = totalBytes
    self.count = count
  }

  package static let standard = AttachmentLimits(
    imageBytes: 5 << 20, textBytes: 1 << 20, totalBytes: 20 << 20, count: 20)

  /// The most one file may hold, of either kind.
  package var largestFile: Int { max(imageBytes, textBytes) }

  /// Checks a message's attachments together.
  package func check(_ attachments: [Attachment]) throws(AttachmentError) {
    guard attachments.count <= count else { throw .tooMany(attachments.count, limit: count) }
    let total = attachments.reduce(0) { $0 + ($1.bytes?.count ?? 0) }
    guard total <= totalBytes else { throw .tooLarge(name: "the attachments together", size: total, limit: totalBytes) }
  }
}

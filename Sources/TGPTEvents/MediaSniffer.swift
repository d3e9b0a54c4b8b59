/// What a file is, read from its first bytes: names and declared types are not trusted.
enum MediaSniffer {
  /// The image type of `bytes`, `text/plain` for UTF-8 text without NUL bytes, or nil.
  static func mediaType(of bytes: [UInt8]) -> String? {
    if let image = imageType(of: bytes) { return image }
    guard !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil else { return nil }
    return "text/plain"
  }

  /// PNG, JPEG, GIF or WebP by their signatures.
  static func imageType(of bytes: [UInt8]) -> String? {
    func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
      bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
    }
    if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
    if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
    if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
    if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
    return nil
  }

  /// The image type a file name suggests (for URLs, whose content we never see).
  static func imageType(forName name: String) -> String? {
    guard let dot = name.lastIndex(of: ".") else { return nil }
    switch name[name.index(after: dot)...].lowercased() {
    case "png": return "image/png"
    case "jpg", "jpeg": return "image/jpeg"
    case "gif": return "image/gif"
    case "webp": return "image/webp"
    default: return nil
    }
  }
}

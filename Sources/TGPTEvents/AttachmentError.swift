/// Why an attachment was refused.
package struct AttachmentError: KindedError, Sendable, Hashable {
  package enum Reason: Sendable, Hashable {
    case unreadable(path: String, why: String)
    case unsupported(name: String)
    case empty(name: String)
    case tooLarge(name: String, size: Int, limit: Int)
    case tooMany(Int, limit: Int)
    case badURL(String)
    case badDataURL(String)
  }

  package let reason: Reason
  /// Every attachment failure is the caller's input (exit 65, `bad_input`).
  package var kind: ErrorKind { .badInput }

  package init(_ reason: Reason) { self.reason = reason }

  package static func unreadable(path: String, why: String) -> Self { Self(.unreadable(path: path, why: why)) }
  package static func unsupported(name: String) -> Self { Self(.unsupported(name: name)) }
  package static func empty(name: String) -> Self { Self(.empty(name: name)) }
  package static func tooLarge(name: String, size: Int, limit: Int) -> Self {
    Self(.tooLarge(name: name, size: size, limit: limit))
  }
  package static func tooMany(_ count: Int, limit: Int) -> Self { Self(.tooMany(count, limit: limit)) }
  package static func badURL(_ url: String) -> Self { Self(.badURL(url)) }
  package static func badDataURL(_ why: String) -> Self { Self(.badDataURL(why)) }

  package var description: String {
    switch reason {
    case .unreadable(let path, let why): "cannot attach \(path): \(why)"
    case .unsupported(let name):
      "cannot attach \(name): not an image (PNG, JPEG, GIF, WebP) or a UTF-8 text file"
    case .empty(let name): "cannot attach \(name): it is empty"
    case .tooLarge(let name, let size, let limit):
      "cannot attach \(name): \(Self.size(size)) is over the limit of \(Self.size(limit))"
    case .tooMany(let count, let limit): "\(count) attachments is more than the \(limit) a message may carry"
    case .badURL(let url): "cannot attach \(url.prefix(80)): a URL must start with http:// or https://"
    case .badDataURL(let why): "an attachment is not a usable data: URL: \(why)"
    }
  }

  /// `1.5 MiB`, `800 KiB`, `12 bytes`.
  package static func size(_ bytes: Int) -> String {
    if bytes >= 1 << 20 {
      let tenths = (bytes * 10 + (1 << 19)) >> 20
      return tenths % 10 == 0 ? "\(tenths / 10) MiB" : "\(tenths / 10).\(tenths % 10) MiB"
    }
    if bytes >= 1 << 10 { return "\((bytes + 512) >> 10) KiB" }
    return "\(bytes) bytes"
  }
}

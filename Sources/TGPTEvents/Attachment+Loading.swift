#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

extension Attachment {
  /// What `-a/--attach` names: an `http(s)` URL, a `data:` URL, or a file's path.
  package static func load(_ argument: String, limits: AttachmentLimits = .standard) throws(AttachmentError)
    -> Attachment
  {
    let lower = argument.prefix(8).lowercased()
    if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return try Attachment(url: argument) }
    if lower.hasPrefix("data:") { return try Attachment(dataURL: argument, name: "attachment", limits: limits) }
    return try Attachment(path: argument, limits: limits)
  }

  /// The file at `path`, refused before it is read when it is larger than any attachment may be.
  package init(path: String, limits: AttachmentLimits = .standard) throws(AttachmentError) {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    // Non-blocking, so a FIFO without a writer is refused below instead of hanging the open.
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw .unreadable(path: path, why: String(cString: strerror(errno))) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, why: String(cString: strerror(errno))) }
    guard info.st_mode & S_IFMT == S_IFREG else { throw .unreadable(path: path, why: "not a regular file") }
    let largest = limits.largestFile
    guard Int(info.st_size) <= largest else { throw .tooLarge(name: name, size: Int(info.st_size), limit: largest) }
    let bytes: [UInt8]
    do throws(ProtocolError) {
      // At most one byte past the limit: a file that grew since its size was read is still
      // refused without being read whole.
      bytes = try FileIO.readAll(fd, upTo: largest + 1)
    } catch {
      throw .unreadable(path: path, why: error.description)
    }
    guard bytes.count <= largest else { throw .tooLarge(name: name, size: bytes.count, limit: largest) }
    try self.init(name: name, bytes: bytes, limits: limits)
  }

  /// A `data:` URL (`data:image/png;base64,…`, or percent-encoded text). The declared type is
  /// not trusted: the content is checked as a file's would be.
  package init(dataURL: String, name: String, limits: AttachmentLimits = .standard) throws(AttachmentError) {
    guard dataURL.prefix(5).lowercased() == "data:", let comma = dataURL.firstIndex(of: ",") else {
      throw .badDataURL("it must look like data:image/png;base64,…")
    }
    let header = dataURL[dataURL.index(dataURL.startIndex, offsetBy: 5)..<comma].lowercased()
    let payload = dataURL[dataURL.index(after: comma)...]
    let isBase64 = header.hasSuffix(";base64")
    let bytes: [UInt8]?
    if isBase64 {
      // Refused before decoding: a client's oversized upload costs no more than its reading.
      let size = payload.utf8.count / 4 * 3
      guard size <= limits.largestFile + 3 else { throw .tooLarge(name: name, size: size, limit: limits.largestFile) }
      bytes = Base64.decode(payload)
    } else {
      bytes = Hex.percentDecoded(payload)
    }
    guard let bytes else { throw .badDataURL("its content is not valid \(isBase64 ? "base64" : "percent-encoding")") }
    let type = String(header.split(separator: ";").first ?? "")
    let extensionName =
      MediaSniffer.imageType(of: bytes).map { "." + $0.dropFirst(6) }
      ?? (type == "text/plain" || type.isEmpty ? ".txt" : "")
    let named = name.contains(".") ? name : name + extensionName
    try self.init(name: named, bytes: bytes, limits: limits)
  }
}

extension Attachment {
  /// `load` of each argument, on a thread of its own (files are read), then the limits for one
  /// message checked.
  package static func loadAll(_ arguments: [String], limits: AttachmentLimits = .standard) async throws(AttachmentError)
    -> [Attachment]
  {
    guard !arguments.isEmpty else { return [] }
    return try await DedicatedThread.run { () throws(AttachmentError) -> [Attachment] in
      let attachments = try arguments.map { argument throws(AttachmentError) in try load(argument, limits: limits) }
      try limits.check(attachments)
      return attachments
    }
  }
}

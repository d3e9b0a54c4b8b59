import Crypto
import HTTPTypes
import Hummingbird
import NIOCore
import TGPTEvents

/// One file of the web client (`Web/` beside this file), embedded in the binary at build time
/// and served at a fixed path with its type, a validator and the page's security headers.
struct WebAsset: Sendable {
  let path: String
  let contentType: String
  let bytes: [UInt8]
  /// A strong validator from the bytes, so a browser's revalidation costs a 304.
  let eTag: String

  init(path: String, contentType: String, bytes: [UInt8]) {
    self.path = path
    self.contentType = contentType
    self.bytes = bytes
    eTag = "\"" + Hex.string(SHA256.hash(data: bytes).prefix(12)) + "\""
  }

  /// The page and what it loads. Relative links between them, so the client also works
  /// behind a proxy that serves the server under a path (`https://host/chat/`).
  static let all: [WebAsset] = [
    WebAsset(path: "/", contentType: "text/html; charset=utf-8", bytes: PackageResources.index_html),
    WebAsset(path: "/app.css", contentType: "text/css; charset=utf-8", bytes: PackageResources.app_css),
    WebAsset(path: "/icon.svg", contentType: "image/svg+xml", bytes: PackageResources.icon_svg),
    script("/app.js", PackageResources.app_js),
    script("/answer.js", PackageResources.answer_js),
    script("/connection.js", PackageResources.connection_js),
    script("/markdown.js", PackageResources.markdown_js),
    script("/page.js", PackageResources.page_js),
    script("/attach.js", PackageResources.attach_js),
    script("/tray.js", PackageResources.tray_js),
  ]

  /// `/config.json`: the largest message this server takes (`--max-message-bytes`), so the page
  /// can say an attachment will not fit before sending it. A file rather than a value written
  /// into the page: the page stays the same bytes for every server, and nothing inline.
  static func config(maxMessageBytes: Int) -> WebAsset {
    WebAsset(
      path: "/config.json", contentType: "application/json",
      bytes: Array(#"{"max_message_bytes":\#(maxMessageBytes)}"#.utf8))
  }

  private static func script(_ path: String, _ bytes: [UInt8]) -> WebAsset {
    WebAsset(path: path, contentType: "text/javascript; charset=utf-8", bytes: bytes)
  }

  /// Only the server's own script, styles and WebSocket (`'self'` covers ws: and wss: of the
  /// page's host); no inline script or style, no plugins, no framing, no form posts, and
  /// images only from the server or data: URLs. Text from the model is never markup, and this
  /// stops whatever might slip through from running or loading anything.
  static let contentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    + "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

  /// The file, or a 304 when the browser holds this version (`If-None-Match`); only its head
  /// for a HEAD request.
  func response(to request: Request, withBody: Bool = true) -> Response {
    var headers: HTTPFields = [
      .contentType: contentType, .cacheControl: "no-cache", .eTag: eTag,
      .contentSecurityPolicy: Self.contentSecurityPolicy, .xContentTypeOptions: "nosniff",
      .referrerPolicy: "no-referrer", .xFrameOptions: "DENY",
    ]
    let held = request.headers[values: .ifNoneMatch].flatMap { $0.split(separator: ",") }
    if held.contains(where: { $0.trimmingSpacesAndTabs == eTag || $0.trimmingSpacesAndTabs == "*" }) {
      return Response(status: .notModified, headers: headers)
    }
    headers[.contentLength] = String(bytes.count)
    guard withBody else { return Response(status: .ok, headers: headers) }
    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
  }
}

extension HTTPField.Name {
  static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
  static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
}

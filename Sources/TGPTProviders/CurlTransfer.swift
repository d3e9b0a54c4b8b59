import CCurl
import Synchronization
import TGPTEvents

/// One transfer's state. Created by any thread, then touched only on the engine's I/O thread
/// (libcurl calls our callbacks from inside `curl_multi_perform` there).
final class CurlTransfer: @unchecked Sendable {
  let easy: UnsafeMutableRawPointer
  let continuation: AsyncThrowingStream<HTTPResponsePart, any Error>.Continuation
  let request: HTTPRequest
  private var headerList: UnsafeMutablePointer<curl_slist>?
  let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

  private var status = 0
  private var headers = HTTPHeaders()
  private var headSent = false
  private(set) var bytesReceived = 0
  /// When the last byte (header or body) came from the server.
  private(set) var lastActivity: ContinuousClock.Instant
  private let configuredIdle: Duration
  /// Whether the run's deadline comes before the connect timeout would (then a timeout before
  /// connecting is the deadline's). Decided at the start: curl's timer and ours differ by a
  /// millisecond or so at the end.
  private let deadlineFirst: Bool
  /// A shorter idle timeout set while the transfer runs, in nanoseconds (0: none); see
  /// `TransferControl`.
  let idleOverride = Atomic<Int64>(0)

  /// The idle timeout in force.
  var idleTimeout: Duration {
    let override = idleOverride.load(ordering: .acquiring)
    return override == 0 ? configuredIdle : min(.nanoseconds(override), configuredIdle)
  }

  init?(request: HTTPRequest, continuation: AsyncThrowingStream<HTTPResponsePart, any Error>.Continuation) {
    guard let easy = ccurl_easy_init() else { return nil }
    self.easy = easy
    self.request = request
    self.continuation = continuation
    self.lastActivity = .now
    self.configuredIdle = .clampedSeconds(request.limits.idleTimeout)
    self.deadlineFirst = request.deadline.map { $0.remaining < request.limits.connectTimeout } ?? false
    errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    configure()
  }

  deinit {
    ccurl_easy_cleanup(easy)
    if let headerList { ccurl_slist_free_all(headerList) }
    errorBuffer.deallocate()
  }

  /// Called when the engine starts driving the transfer.
  func markStarted() { lastActivity = .now }

  private func configure() {
    let r = request
    ccurl_setopt_string(easy, CURLOPT_URL, r.url)
    ccurl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
    ccurl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
    ccurl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
    ccurl_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
    ccurl_setopt_string(easy, CURLOPT_USERAGENT, "tgpt/\(ToolkitVersion.string)")
    ccurl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(r.limits.connectTimeout))
    if let deadline = r.deadline { ccurl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Self.milliseconds(deadline.remaining)) }
    ccurl_setopt_long(
      easy, CURLOPT_HTTP_VERSION, r.http1Only ? Int(CURL_HTTP_VERSION_1_1) : Int(CURL_HTTP_VERSION_2TLS))
    if let caFile = r.caFile { ccurl_setopt_string(easy, CURLOPT_CAINFO, caFile) }
    if r.insecure {
      ccurl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
      ccurl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
    }
    ccurl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)

    if r.method == "POST" {
      ccurl_setopt_long(easy, CURLOPT_POST, 1)
      // POSTFIELDS does not copy; COPYPOSTFIELDS does, after the size is set.
      ccurl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(r.body.count))
      _ = r.body.withUnsafeBytes { buffer in
        ccurl_setopt_pointer(
          easy, CURLOPT_COPYPOSTFIELDS,
          UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
      }
    } else if r.method != "GET" {
      ccurl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, r.method)
    }

    var list: UnsafeMutablePointer<curl_slist>?
    // curl adds "Expect: 100-continue" to larger POSTs, which costs a round trip per request.
    list = ccurl_slist_append(list, "Expect:")
    for (name, value) in r.headers { list = ccurl_slist_append(list, "\(name): \(value)") }
    headerList = list
    ccurl_setopt_slist(easy, CURLOPT_HTTPHEADER, list)

    let context = Unmanaged.passUnretained(self).toOpaque()
    ccurl_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback)
    ccurl_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
    ccurl_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
    ccurl_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
  }

  /// Seconds as libcurl's milliseconds, clamped so no value can trap the conversion.
  private static func milliseconds(_ seconds: Double) -> Int {
    guard seconds.isFinite else { return Int(Int32.max) }
    return Int(min(max(1, seconds * 1000), Double(Int32.max)))
  }

  // MARK: - Callbacks (I/O thread)

  fileprivate func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
    lastActivity = .now
    var end = raw.count
    while end > 0, raw[end - 1] == 0x0A || raw[end - 1] == 0x0D { end -= 1 }
    let line = UnsafeRawBufferPointer(rebasing: raw[0..<end])
    if line.starts(with: "HTTP/".utf8) {
      let text = String(decoding: line, as: UTF8.self)
      let parts = text.split(separator: " ", maxSplits: 2)
      status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
      headers = HTTPHeaders()
      return
    }
    if line.isEmpty {
      if status >= 200 { sendHead() }
      return
    }
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
    let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<colon]), as: UTF8.self)
    var valueStart = colon + 1
    while valueStart < line.count, line[valueStart] == 0x20 || line[valueStart] == 0x09 { valueStart += 1 }
    headers.append(
      name: name, value: String(decoding: UnsafeRawBufferPointer(rebasing: line[valueStart...]), as: UTF8.self))
  }

  fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) {
    lastActivity = .now
    bytesReceived += bytes.count
    sendHead()
    continuation.yield(.body(Array(bytes)))
  }

  private func sendHead() {
    guard !headSent else { return }
    headSent = true
    if status == 0 {
      var code = 0
      ccurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
      status = code
    }
    continuation.yield(.head(status: status, headers: headers))
  }

  /// Ends the stream for this transfer's result code.
  func complete(_ code: CURLcode) {
    if code == CURLE_OK {
      sendHead()
      continuation.finish()
      return
    }
    continuation.finish(throwing: error(for: code))
  }

  /// Ends the stream with `error`.
  func fail(_ error: ProviderError) { continuation.finish(throwing: error) }

  private func error(for code: CURLcode) -> ProviderError {
    let message = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: ccurl_easy_strerror(code))
    switch code {
    case CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT:
      return .connectFailed(message)
    case CURLE_OPERATION_TIMEDOUT:
      var connectTime: curl_off_t = 0
      ccurl_getinfo_off(easy, CURLINFO_CONNECT_TIME_T, &connectTime)
      let connected = connectTime != 0 || bytesReceived > 0 || headSent
      if !connected, !deadlineFirst { return .connectTimeout(seconds: request.limits.connectTimeout) }
      return .deadline(seconds: request.deadline?.seconds ?? 0)
    case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
      CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return .tls(message)
    case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
      return .setup("cannot use the URL \(request.url): \(message)")
    case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
      return .connectionLost(message)
    default:
      return .transport("transfer failed: \(message)")
    }
  }
}

private func curlWriteCallback(
  _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
  let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
  transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
  return size * count
}

private func curlHeaderCallback(
  _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
  let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
  transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
  return size * count
}

import CCurl
import Synchronization
import TGPTEvents

/// HTTP over libcurl: every transfer of the process is driven by one curl multi handle on one
/// I/O thread, and each is consumed as an `AsyncThrowingStream` of response parts.
///
/// Ending the consumer (cancelling its task, or dropping the stream) aborts the transfer at
/// once: the engine is woken with `curl_multi_wakeup` rather than waiting for a progress
/// callback, which libcurl calls only about once a second while a server is silent.
/// Proxies come from the usual environment variables; TLS is verified; HTTP/2 is used over
/// TLS where the server offers it.
package final class HTTPClient: Sendable {
  /// The process-wide client.
  package static let shared = HTTPClient()

  /// The engine, or why libcurl could not be loaded. Created on the first transfer, so
  /// programs that make none never load libcurl.
  private let engine: Result<CurlEngine, ProviderError>

  private init() {
    var error = [UInt8](repeating: 0, count: 512)
    let loaded = error.withUnsafeMutableBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { ccurl_load($0.baseAddress, $0.count) }
    }
    if loaded == 0 {
      engine = .success(CurlEngine())
    } else {
      engine = .failure(.setup(String(decoding: error.prefix { $0 != 0 }, as: UTF8.self)))
    }
  }

  /// Starts a transfer. Parts arrive as the server sends them; the stream ends after the body,
  /// or throws a `ProviderError` (connect failure, timeout, lost connection).
  package func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPResponsePart, any Error> {
    start(request).parts
  }

  /// Starts a transfer and also returns a control for changing its idle timeout while it runs.
  package func start(_ request: HTTPRequest) -> (
    parts: AsyncThrowingStream<HTTPResponsePart, any Error>, control: TransferControl
  ) {
    let control = TransferControl()
    let parts = AsyncThrowingStream<HTTPResponsePart, any Error> { continuation in
      let engine: CurlEngine
      switch self.engine {
      case .success(let loaded): engine = loaded
      case .failure(let error):
        continuation.finish(throwing: error)
        return
      }
      guard let transfer = CurlTransfer(request: request, continuation: continuation) else {
        continuation.finish(throwing: ProviderError.transport("could not create a libcurl handle"))
        return
      }
      continuation.onTermination = { [engine] termination in
        if case .cancelled = termination { engine.cancel(transfer) }
      }
      control.attach(transfer: transfer, engine: engine)
      engine.start(transfer)
    }
    return (parts, control)
  }

  /// Loads libcurl and starts the I/O thread in the background, so a program can overlap that
  /// work (a few milliseconds of dynamic linking) with reading its input.
  package static func warmUp() {
    DedicatedThread.start { _ = shared }
  }

  /// The libcurl version and whether it speaks HTTP/2 (loading libcurl if needed).
  package static var libcurlDescription: String {
    guard case .success = shared.engine, let version = ccurl_version_string() else { return "libcurl not available" }
    return "libcurl \(String(cString: version))\(ccurl_has_http2() != 0 ? " (HTTP/2)" : "")"
  }
}

/// Changes a running transfer: after a provider says the answer is finished, waiting the full
/// idle timeout for a connection it keeps open would only delay the end.
package final class TransferControl: Sendable {
  private let target = Guarded<(transfer: CurlTransfer, engine: CurlEngine)?>(nil)

  fileprivate func attach(transfer: CurlTransfer, engine: CurlEngine) {
    target.withLock { $0 = (transfer, engine) }
  }

  /// Sets the transfer's idle timeout, counted from the last byte received.
  package func setIdleTimeout(_ seconds: Double) {
    guard let (transfer, engine) = target.withLock({ $0 }) else { return }
    transfer.idleOverride.store(
      seconds > 0 ? Int64(Duration.clampedSeconds(seconds) / .nanoseconds(1)) : 0, ordering: .releasing)
    engine.wake()
  }
}

/// The multi handle and its I/O thread.
final class CurlEngine: @unchecked Sendable {
  private struct Pending {
    var adds: [CurlTransfer] = []
    var cancels: [CurlTransfer] = []
    var threadStarted = false
  }

  private let multi: UnsafeMutableRawPointer
  private let pending = Guarded(Pending())
  /// Transfers being driven, by easy handle. Touched only on the I/O thread.
  private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

  init() {
    ccurl_global_init(Int(CURL_GLOBAL_DEFAULT))
    multi = ccurl_multi_init()
  }

  func start(_ transfer: CurlTransfer) {
    let startThread = pending.withLock { state -> Bool in
      state.adds.append(transfer)
      defer { state.threadStarted = true }
      return !state.threadStarted
    }
    if startThread {
      DedicatedThread.start { self.run() }
    } else {
      ccurl_multi_wakeup(multi)
    }
  }

  /// Makes the I/O loop recompute its deadlines now.
  func wake() { ccurl_multi_wakeup(multi) }

  func cancel(_ transfer: CurlTransfer) {
    pending.withLock { $0.cancels.append(transfer) }
    ccurl_multi_wakeup(multi)
  }

  private func run() {
    var running: Int32 = 0
    while true {
      let (adds, cancels) = pending.withLock { state in
        defer {
          state.adds.removeAll()
          state.cancels.removeAll()
        }
        return (state.adds, state.cancels)
      }
      for transfer in adds {
        active[transfer.easy] = transfer
        transfer.markStarted()
        ccurl_multi_add_handle(multi, transfer.easy)
      }
      for transfer in cancels where active[transfer.easy] === transfer {
        remove(transfer)
        transfer.fail(.transport("cancelled"))
      }

      ccurl_multi_perform(multi, &running)
      var queued: Int32 = 0
      while let message = ccurl_multi_info_read(multi, &queued) {
        guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
          let transfer = active[easy]
        else { continue }
        let code = message.pointee.data.result
        remove(transfer)
        transfer.complete(code)
      }

      let now = ContinuousClock.now
      var nextIdleDeadline: ContinuousClock.Instant?
      for transfer in active.values {
        let deadline = transfer.lastActivity + transfer.idleTimeout
        if now >= deadline {
          remove(transfer)
          transfer.fail(.idleTimeout(seconds: transfer.request.limits.idleTimeout))
        } else {
          nextIdleDeadline = min(nextIdleDeadline ?? deadline, deadline)
        }
      }

      var curlTimeout = -1
      ccurl_multi_timeout(multi, &curlTimeout)
      var wait = curlTimeout < 0 ? 1000 : min(curlTimeout, 1000)
      if let nextIdleDeadline {
        wait = min(wait, Int((nextIdleDeadline - now) / .milliseconds(1)) + 1)
      }
      ccurl_multi_poll(multi, Int32(wait))
    }
  }

  private func remove(_ transfer: CurlTransfer) {
    ccurl_multi_remove_handle(multi, transfer.easy)
    active[transfer.easy] = nil
  }
}

import Dispatch
import Synchronization
import TGPTCommandSupport
import TGPTEvents
import TGPTRender

#if canImport(Glibc)
  import Glibc
#endif

/// Reads stdin, feeds the renderer, writes its output: one write per read, so bursts of small
/// events coalesce. Signals and resizes are handled here.
final class RenderLoop: @unchecked Sendable {
  private let displayFD: Int32
  private let passthrough: Bool
  private let strict: Bool
  private let textInput: Bool
  private let widthIsFixed: Bool
  private let renderer: Locked<EventRenderer>
  private let spinner: Spinner?
  private let resized = Atomic<Bool>(false)
  private var malformed = false

  init(options: RenderOptions, displayFD: Int32, passthrough: Bool, strict: Bool, textInput: Bool, widthIsFixed: Bool) {
    self.displayFD = displayFD
    self.passthrough = passthrough
    self.strict = strict
    self.textInput = textInput
    self.widthIsFixed = widthIsFixed
    renderer = Locked(EventRenderer(options: options))
    spinner = !textInput && FileIO.isTerminal(2) && FileIO.isTerminal(displayFD) ? Spinner() : nil
  }

  /// Runs to the end of input; returns the exit code.
  func run() -> Int32 {
    installSignals()
    spinner?.start()
    defer { spinner?.stop() }
    var events = NDJSONSplitter()
    var text = UTF8Assembler()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
    defer { buffer.deallocate() }
    do {
      while true {
        let count = try FileIO.read(0, into: buffer)
        if count == 0 { break }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        if textInput {
          let piece = text.append(bytes)
          renderer.withLock { $0.text(piece) }
        } else {
          var stop = false
          let now = DispatchTime.now().uptimeNanoseconds
          // One lock for the whole read: a burst of events is handled, then written, at once.
          renderer.withLock { renderer in
            events.feed(bytes) { item in if !stop { stop = handle(item, renderer: &renderer, at: now) } }
          }
          if stop { return finish(code: ErrorKind.badInput.exitCode) }
        }
        try flush()
      }
      if textInput {
        let rest = text.finish()
        renderer.withLock { $0.text(rest) }
      } else {
        var stop = false
        let now = DispatchTime.now().uptimeNanoseconds
        renderer.withLock { renderer in
          events.finish { item in if !stop { stop = handle(item, renderer: &renderer, at: now) } }
        }
        if stop { return finish(code: ErrorKind.badInput.exitCode) }
      }
      renderer.withLock { $0.finish() }
      try flush()
    } catch let error where error.isOutputClosed {
      return ExitStatus.ok
    } catch {
      Diagnostics.error(error.description)
      return error.kind.exitCode
    }
    let code = renderer.withLock { $0.exitCode }
    return code != 0 ? code : (malformed ? ErrorKind.badInput.exitCode : 0)
  }

  /// Handles one input line; returns true to stop (`--strict` and a malformed line).
  private func handle(_ item: NDJSONSplitter.Item, renderer: inout EventRenderer, at now: UInt64) -> Bool {
    switch item {
    case .overlong(let number):
      return malformedLine(number, "longer than \(NDJSONSplitter.defaultMaxLineBytes) bytes")
    case .line(let bytes, let number):
      if passthrough { try? writePassthrough(bytes) }
      do throws(ProtocolError) {
        try renderer.handleLine(bytes, at: now)
        if renderer.sawContent { spinner?.stop() }
      } catch {
        return malformedLine(number, error.description)
      }
    }
    return false
  }

  private func malformedLine(_ number: Int, _ what: String) -> Bool {
    malformed = true
    spinner?.stop()
    Diagnostics.warning("line \(number): \(what)")
    return strict
  }

  private func writePassthrough(_ line: UnsafeRawBufferPointer) throws(ProtocolError) {
    var copy = Array(line)
    copy.append(0x0A)
    try FileIO.writeAll(1, copy)
  }

  /// Stops early (`--strict`): what was rendered so far is shown, the terminal left clean.
  private func finish(code: Int32) -> Int32 {
    try? flush()
    let bytes = renderer.withLock { $0.abandon() }
    try? FileIO.writeAll(displayFD, bytes)
    return code
  }

  /// Writes what the renderer produced, in order; takes the new width first after a resize.
  private func flush() throws(ProtocolError) {
    if resized.exchange(false, ordering: .acquiringAndReleasing), !widthIsFixed {
      let columns = TerminalSize.columns(fd: displayFD)
      renderer.withLock { $0.resize(width: columns) }
    }
    let outputs = renderer.withLock { $0.take() }
    if outputs.isEmpty { return }
    spinner?.stop()
    for output in outputs {
      switch output {
      case .stdout(let bytes): try FileIO.writeAll(displayFD, bytes)
      case .stderr(let bytes): try? FileIO.writeAll(2, bytes)
      }
    }
  }

  private func installSignals() {
    let trap = SignalTrap()
    trap.install { [self] signal in
      spinner?.stop()
      let bytes = renderer.withLock { $0.abandon() }
      try? FileIO.writeAll(displayFD, bytes)
      _exit(signal == SIGTERM ? ExitStatus.terminated : ErrorKind.interrupted.exitCode)
    }
    signal(SIGWINCH, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
    source.setEventHandler { [self] in resized.store(true, ordering: .releasing) }
    source.resume()
    resizeSource = source
  }

  private var resizeSource: (any DispatchSourceSignal)?
}

/// Joins UTF-8 bytes from reads into text without splitting a character between reads.
struct UTF8Assembler {
  private var pending: [UInt8] = []

  mutating func append(_ bytes: UnsafeRawBufferPointer) -> String {
    pending.append(contentsOf: bytes)
    var end = pending.count
    // Keep back an incomplete multi-byte sequence at the end.
    var back = 0
    while back < 3, end - back - 1 >= 0 {
      let byte = pending[end - back - 1]
      if byte & 0xC0 == 0x80 {
        back += 1
        continue
      }
      if byte >= 0xC0 {
        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
        if back + 1 < length { end -= back + 1 }
      }
      break
    }
    let text = String(decoding: pending[0..<end], as: UTF8.self)
    pending.removeFirst(end)
    return text
  }

  mutating func finish() -> String {
    defer { pending.removeAll() }
    return String(decoding: pending, as: UTF8.self)
  }
}

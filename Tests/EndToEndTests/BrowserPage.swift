import Foundation
import TGPTEvents
import Testing

/// One tab of a test's Chromium, driven as a person would: load, type, press keys, look.
struct BrowserPage: Sendable {
  let devTools: DevTools
  /// The flat DevTools session of this tab.
  let session: String

  @discardableResult func send(_ method: String, _ params: JSON = [:]) async throws -> JSON {
    try await devTools.send(method, params, session: session)
  }

  /// Sets the viewport (CSS pixels); `mobile` also gives a phone's touch and meta viewport.
  func resize(width: Int, height: Int, mobile: Bool = false) async throws {
    try await send(
      "Emulation.setDeviceMetricsOverride",
      ["width": .int(width), "height": .int(height), "deviceScaleFactor": 1, "mobile": .bool(mobile)])
    try await send("Emulation.setTouchEmulationEnabled", ["enabled": .bool(mobile)])
  }

  /// From now on, every document of the tab notes in `window.problems` what went wrong in it:
  /// uncaught errors, and anything its Content-Security-Policy refused.
  func watchForProblems() async throws {
    let source = """
      window.problems = [];
      window.addEventListener('error', (e) => window.problems.push('error: ' + e.message));
      window.addEventListener('unhandledrejection', (e) => window.problems.push('rejection: ' + e.reason));
      document.addEventListener('securitypolicyviolation',
        (e) => window.problems.push('refused by the policy: ' + e.violatedDirective + ' ' + e.blockedURI));
      """
    try await send("Page.addScriptToEvaluateOnNewDocument", ["source": .string(source)])
  }

  /// What `watchForProblems` noted in the current document.
  func problems() async throws -> [String] {
    try await evaluate("window.problems || ['not watched']").arrayValue?.compactMap(\.stringValue) ?? []
  }

  /// Opens `url` and waits until the new document has loaded.
  func open(_ url: String) async throws {
    try await evaluate("window.previousDocument = true")
    try await send("Page.navigate", ["url": .string(url)])
    try await waitFor("the page at \(url) to load", "document.readyState === 'complete' && !window.previousDocument")
  }

  /// Reloads and waits until the document has loaded again.
  func reload() async throws {
    try await evaluate("window.previousDocument = true")
    try await send("Page.reload")
    try await waitFor("the page to load again", "document.readyState === 'complete' && !window.previousDocument")
  }

  /// The value of a JavaScript expression (awaited if a promise), as JSON.
  @discardableResult func evaluate(_ expression: String) async throws -> JSON {
    let answer = try await send(
      "Runtime.evaluate", ["expression": .string(expression), "awaitPromise": true, "returnByValue": true])
    if let exception = answer["exceptionDetails"] {
      throw DevTools.Failure(description: "\(expression) threw: \(exception.compactText)")
    }
    return answer["result"]?["value"] ?? .null
  }

  func string(_ expression: String) async throws -> String { try await evaluate(expression).stringValue ?? "" }
  func int(_ expression: String) async throws -> Int { try await evaluate(expression).intValue ?? -1 }
  func bool(_ expression: String) async throws -> Bool { try await evaluate(expression).boolValue ?? false }

  /// Waits until `expression` is true: checked again and again, for up to two minutes.
  @discardableResult func waitFor(
    _ what: String, _ expression: String, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> Bool {
    try await Harness.eventually(what, sourceLocation: sourceLocation) { try await bool(expression) }
  }

  /// Types `text` into the focused element, as a keyboard's input would.
  func type(_ text: String) async throws {
    try await send("Input.insertText", ["text": .string(text)])
  }

  /// Presses and releases a key: Enter (with Shift: `modifiers` 8), Escape, …
  func press(_ key: String, modifiers: Int = 0) async throws {
    let codes: [String: (code: Int, text: String?)] = ["Enter": (13, "\r"), "Escape": (27, nil), "Tab": (9, nil)]
    guard let known = codes[key] else { throw DevTools.Failure(description: "no key code for \(key)") }
    var down = JSONObject([
      ("type", "keyDown"), ("key", .string(key)), ("code", .string(key)), ("windowsVirtualKeyCode", .int(known.code)),
      ("nativeVirtualKeyCode", .int(known.code)), ("modifiers", .int(modifiers)),
    ])
    if let text = known.text {
      down["text"] = .string(text)
      down["unmodifiedText"] = .string(text)
    }
    try await send("Input.dispatchKeyEvent", .object(down))
    try await send(
      "Input.dispatchKeyEvent",
      [
        "type": "keyUp", "key": .string(key), "code": .string(key), "windowsVirtualKeyCode": .int(known.code),
        "nativeVirtualKeyCode": .int(known.code), "modifiers": .int(modifiers),
      ])
  }

  /// A click (mouse, or a tap on a touch page) at the middle of the element `selector` names.
  func click(_ selector: String) async throws {
    let box = try await evaluate(
      "(() => { const r = document.querySelector(\(Self.quoted(selector))).getBoundingClientRect();"
        + " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    guard let point = box.arrayValue, point.count == 2, let x = point[0].doubleValue, let y = point[1].doubleValue
    else { throw DevTools.Failure(description: "no element \(selector) to click") }
    for type in ["mousePressed", "mouseReleased"] {
      try await send(
        "Input.dispatchMouseEvent",
        ["type": .string(type), "x": .double(x), "y": .double(y), "button": "left", "clickCount": 1])
    }
  }

  /// A PNG of what the tab shows, written to `file`.
  func screenshot(to file: URL) async throws {
    let shot = try await send("Page.captureScreenshot", ["format": "png"])
    guard let base64 = shot["data"]?.stringValue, let png = Data(base64Encoded: base64) else {
      throw DevTools.Failure(description: "no screenshot data")
    }
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try png.write(to: file)
  }

  /// `text` as a JavaScript string literal.
  static func quoted(_ text: String) -> String { JSON.string(text).compactText }
}

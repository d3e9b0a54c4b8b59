import Foundation
import TGPTEvents
import Testing

/// Debian's headless Chromium (`make test` installs the `chromium` package), started for one
/// test: a profile directory of its own, DevTools on a free loopback port, no network beyond
/// this machine, and killed with its whole process group when the test ends.
final class Chromium: Sendable {
  /// The browser binary (`TGPT_CHROMIUM` to use another).
  static var executable: String {
    ProcessInfo.processInfo.environment["TGPT_CHROMIUM"] ?? "/usr/lib/chromium/chromium"
  }

  /// The process group's leader (the watchdog shell).
  let pid: pid_t
  /// The write end of the watchdog's stdin.
  private let watchdog: Int32
  let profile: URL
  let devTools: DevTools
  private let errors: Collected
  private let exit: ProcessEnd

  private init(pid: pid_t, watchdog: Int32, profile: URL, devTools: DevTools, errors: Collected, exit: ProcessEnd) {
    self.pid = pid
    self.watchdog = watchdog
    self.profile = profile
    self.devTools = devTools
    self.errors = errors
    self.exit = exit
  }

  /// Runs `body` with a browser, which is stopped afterwards whether `body` returned or threw.
  static func with<T>(_ body: (Chromium) async throws -> T) async throws -> T {
    let browser = try await start()
    do {
      let result = try await body(browser)
      await browser.stop()
      return result
    } catch {
      Issue.record("Chromium's last words: \(browser.stderr.suffix(2000))")
      await browser.stop()
      throw error
    }
  }

  static func start() async throws -> Chromium {
    let profile = Harness.scratchDirectory()
    let arguments = [
      "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
      "--user-data-dir=\(profile.path)", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
      // The Origin swift-websocket's client sends (its URL's scheme and host): DevTools
      // refuses any other, so no page can drive this browser.
      "--remote-allow-origins=ws://127.0.0.1", "--disable-dev-shm-usage", "--hide-scrollbars",
      "--force-color-profile=srgb", "--font-render-hinting=none", "--mute-audio", "--password-store=basic",
      // Nothing but this machine: no background services, and no name resolves but loopback's.
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
      "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--no-pings",
      "--disable-breakpad", "--disable-crash-reporter", "--metrics-recording-only",
      "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost", "--no-proxy-server",
      "about:blank",
    ]
    let env = [
      "HOME": profile.path, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC",
      "XDG_CONFIG_HOME": profile.appendingPathComponent("config").path,
      "XDG_CACHE_HOME": profile.appendingPathComponent("cache").path,
    ]
    // A shell leads the browser's process group and kills the whole group when its stdin, a
    // pipe only this test process holds, closes: a test run that dies leaves no browser behind.
    let watchdog = #"exec 3<&0 </dev/null; "$@" & (cat <&3 >/dev/null; kill -KILL 0) & wait $!"#
    let path = executable
    let started = try await DedicatedThread.run { () throws(Spawn.Failure) -> Spawn.Started in
      try Spawn.start(
        "/bin/sh", ["-c", watchdog, "sh", path] + arguments, env: env, pipeStdin: true, detachedOutput: true,
        processGroup: true)
    }
    let errors = Collected()
    let exit = ProcessEnd()
    DedicatedThread.start { Spawn.drain(started.stderr, into: errors) }
    DedicatedThread.start { exit.record(ChildSpawn.waitForExit(started.pid)) }
    do {
      let address = try await devToolsAddress(profile: profile, exit: exit, errors: errors)
      let devTools = try await DevTools.connect(address)
      return Chromium(
        pid: started.pid, watchdog: started.stdin, profile: profile, devTools: devTools, errors: errors, exit: exit)
    } catch {
      kill(-started.pid, SIGKILL)
      close(started.stdin)
      _ = await exit.value(within: .seconds(120))
      try? FileManager.default.removeItem(at: profile)
      throw error
    }
  }

  /// The browser's DevTools WebSocket, from the `DevToolsActivePort` file it writes in its
  /// profile once listening (port, then path): looked for until it is there, or two minutes.
  private static func devToolsAddress(profile: URL, exit: ProcessEnd, errors: Collected) async throws -> String {
    let file = profile.appendingPathComponent("DevToolsActivePort")
    let deadline = ContinuousClock.now + .seconds(120)
    while ContinuousClock.now < deadline {
      if let text = try? String(contentsOf: file, encoding: .utf8) {
        let lines = text.split(separator: "\n")
        if lines.count >= 2, let port = Int(lines[0]) { return "ws://127.0.0.1:\(port)\(lines[1])" }
      }
      if let status = exit.known {
        throw Spawn.Failure(description: "Chromium exited (\(status)) before listening: \(errors.text.suffix(2000))")
      }
      try await Task.sleep(for: .milliseconds(20))
    }
    throw Spawn.Failure(description: "Chromium wrote no DevToolsActivePort in two minutes: \(errors.text.suffix(2000))")
  }

  /// What it wrote on stderr so far.
  var stderr: String { errors.text }

  /// Kills the browser and every process it started (its group), waits for it, and removes
  /// its profile.
  func stop() async {
    devTools.close()
    kill(-pid, SIGKILL)
    close(watchdog)
    if await exit.value(within: .seconds(120)) == nil { Issue.record("Chromium (pid \(pid)) outlived SIGKILL") }
    try? FileManager.default.removeItem(at: profile)
  }

  /// A new tab, `width`×`height` CSS pixels, attached for commands; `isolated`: in a browser
  /// context of its own (its own storage and cookies, as another person's browser).
  func newPage(width: Int, height: Int, mobile: Bool = false, isolated: Bool = false) async throws -> BrowserPage {
    var parameters = JSONObject([("url", "about:blank")])
    if isolated {
      let context = try await devTools.send("Target.createBrowserContext")
      parameters["browserContextId"] = context["browserContextId"] ?? .null
    }
    let target = try await devTools.send("Target.createTarget", .object(parameters))
    guard let targetID = target["targetId"]?.stringValue else { throw DevTools.Failure(description: "no target id") }
    let attached = try await devTools.send("Target.attachToTarget", ["targetId": .string(targetID), "flatten": true])
    guard let session = attached["sessionId"]?.stringValue else { throw DevTools.Failure(description: "no session id") }
    let page = BrowserPage(devTools: devTools, session: session)
    try await page.send("Page.enable")
    try await page.send("Runtime.enable")
    try await page.watchForProblems()
    try await page.resize(width: width, height: height, mobile: mobile)
    return page
  }
}

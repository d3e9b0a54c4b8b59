import TGPTChat
import TGPTCommandSupport
import TGPTEvents
import TGPTOrchestrator
import TGPTRender
import TGPTSession

#if canImport(Glibc)
  import Glibc
#endif

/// The chat: read an input, run a command or a turn, render the answer as it streams.
final class ChatLoop: @unchecked Sendable {
  let backend: any ChatBackend
  var session: String
  var settings: SessionSettings
  let includeFailed: Bool
  let history: String
  var lastMessage: String?
  var lastAnswer = ""
  /// What `/attach` gathered for the next message.
  var pending: [Attachment] = []
  /// What went with the last message (a `/retry` sends it again).
  var lastAttachments: [Attachment] = []

  init(backend: any ChatBackend, session: String, settings: SessionSettings, includeFailed: Bool, history: String) {
    self.backend = backend
    self.session = session
    self.settings = settings
    self.includeFailed = includeFailed
    self.history = history
  }

  func run() async {
    LineEditor.installInterruptHandler()
    LineEditor.start(history: history)
    let place = backend.store == nil ? " · via \(backend.place)" : ""
    say("tgpt chat · session \(session)\(place) · /help for commands, Ctrl-D to leave")
    var input = MultilineInput()
    while true {
      // ASCII only: libedit miscounts (and was seen to crash on) multibyte prompts.
      let prompt = input.isContinuing ? "... " : "\(session)> "
      // The editor waits for keys: on a thread of its own, not one of the concurrency pool's.
      switch await DedicatedThread.run({ LineEditor.read(prompt: prompt) }) {
      case .end:
        write("\n")
        return
      case .interrupted(let typed):
        // At an empty prompt Ctrl-C leaves; with something typed it drops that only.
        if typed.isEmpty, !input.isContinuing { return }
        input.reset()
        say("(dropped; Ctrl-C at an empty prompt or Ctrl-D leaves)")
      case .line(let line):
        guard let whole = input.feed(line) else { continue }
        LineEditor.remember(whole, history: history)
        if await !handle(ChatInput.parse(whole)) { return }
      }
    }
  }

  /// Acts on one input; false to leave.
  private func handle(_ input: ChatInput) async -> Bool {
    switch input {
    case .empty: return true
    case .hint(let text): say(text)
    case .message(let text): await turn(text)
    case .command(let command): return await run(command)
    }
    return true
  }

  private func run(_ command: ChatCommand) async -> Bool {
    switch command {
    case .quit: return false
    case .help:
      let width = ChatCommand.catalogue.map(\.usage.count).max() ?? 0
      for (usage, help) in ChatCommand.catalogue {
        say(usage + String(repeating: " ", count: width - usage.count) + "  " + help)
      }
    case .clear: write("\u{1B}[H\u{1B}[2J")
    case .session(let id):
      switchTo(id)
      say("session \(id)")
    case .new(let id):
      // A remote chat's sessions are on a server others use too: an id no one can guess.
      switchTo(id ?? (backend.store == nil ? SessionIDRule.makeUnguessable() : SessionID.make()))
      say("new session \(session)")
    case .model(let name?):
      settings.model = name
      say("model \(name) from now on")
    case .model(nil):
      let used = await backend.settings(of: session, given: settings)
      say("model \(Readable.safe(used?.model ?? settings.model ?? "\(decider)'s default"))\(Self.provider(used))")
    case .system(.set(let text)):
      settings.system = text
      say("system prompt set")
    case .system(.clear):
      // Empty, not nil: nil would fall back to the session's remembered prompt.
      settings.system = ""
      say("system prompt cleared")
    case .system(.show):
      let used = await backend.settings(of: session, given: settings)
      switch used?.system ?? settings.system {
      case let text? where !text.isEmpty: say("system prompt: \(Readable.safe(text))")
      case _ where used == nil: say("system prompt: \(decider)'s default")
      default: say("no system prompt")
      }
    case .history:
      do {
        guard let messages = try await backend.history(of: session, stopped: Self.nextInterrupt()) else {
          say("no turns yet in \(session)")
          return true
        }
        var out = OutputBuffer()
        SessionReports.transcript(messages, into: &out)
        try out.flush()
      } catch {
        // A remote server's refusal is its own words.
        say(Readable.safe("\(error)"))
      }
    case .sessions(let all): await listSessions(all: all)
    case .retry:
      guard let message = await messageToRetry() else {
        say("nothing to retry yet")
        return true
      }
      await turn(message, retry: true)
    case .attach(let what): await attach(what)
    case .copy:
      guard !lastAnswer.isEmpty else {
        say("no answer to copy yet")
        return true
      }
      write(Clipboard.osc52(lastAnswer))
      say("copied \(lastAnswer.count) characters")
    }
    return true
  }

  /// The newest sessions of the local store. A remote chat does not list the server's: they
  /// are other people's too, and a session id is what gives access to one.
  private func listSessions(all: Bool) async {
    guard let store = backend.store else {
      say("/sessions lists the local store; the sessions of the server at \(backend.place) are not listed")
      return
    }
    var out = OutputBuffer()
    do {
      let shown = all ? nil : ChatCommand.recentSessions
      // One more than shown tells whether there are more, without reading them all.
      let sessions = try await store.list(limit: shown.map { $0 + 1 })
      SessionReports.table(Array(sessions.prefix(shown ?? sessions.count)), into: &out)
      try out.flush()
      if let shown, sessions.count > shown {
        let total = try await store.list(limit: nil).count
        say("(the \(shown) most recent of \(total) sessions: /sessions all lists every one)")
      }
    } catch {
      say("\(error)")
    }
  }

  /// What was said belongs to the session it was said in: /retry and /copy in another session
  /// must not reach back.
  private func switchTo(_ id: String) {
    session = id
    lastMessage = nil
    lastAttachments = []
    lastAnswer = ""
  }

  /// The last message sent in this chat, else the session's last user message (a chat opened
  /// on a session whose last answer failed).
  private func messageToRetry() async -> String? {
    if let lastMessage { return lastMessage }
    let messages = try? await backend.history(of: session, stopped: Self.nextInterrupt())
    return messages?.last { $0.role == "user" }?.content
  }

  /// Who decides what the chat leaves unsaid.
  private var decider: String { backend.store == nil ? "the server" : "the provider" }

  private static func provider(_ settings: SessionSettings?) -> String {
    guard let provider = settings?.provider else { return "" }
    return " (provider \(provider)\(settings?.baseURL.map { " at \($0)" } ?? ""))"
  }

  func say(_ text: String) { write(text + "\n") }

  func write(_ text: String) { try? FileIO.writeAll(1, text) }
}

import TGPTChat
import TGPTCommandSupport
import TGPTEvents

extension ChatLoop {
  /// `/attach`: lists, adds to or drops the attachments that go with the next message.
  func attach(_ what: ChatCommand.Attach) async {
    switch what {
    case .show:
      guard !pending.isEmpty else {
        say("nothing attached; /attach <path|url> sends an image or a text file with the next message")
        return
      }
      for attachment in pending { say(SessionReports.attachmentLine(attachment)) }
    case .clear:
      say(pending.isEmpty ? "nothing was attached" : "dropped \(pending.count) attachment(s)")
      pending = []
    case .add(let argument):
      do throws(AttachmentError) {
        let added = try await Attachment.loadAll([Self.expandingHome(argument)])
        try AttachmentLimits.standard.check(pending + added)
        pending += added
        say(SessionReports.attachmentLine(added[0]) + " goes with your next message")
      } catch {
        say(Readable.safe(error.description))
      }
    }
  }

  /// `~/x` as the shell would read it: people type paths at the prompt as they would there.
  static func expandingHome(_ path: String) -> String {
    guard path == "~" || path.hasPrefix("~/"), let home = ProcessEnvironment.value("HOME") else { return path }
    return home + path.dropFirst()
  }
}

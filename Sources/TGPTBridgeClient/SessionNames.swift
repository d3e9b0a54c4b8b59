import TGPTEvents

/// The sessions a `check` or `bench` run made on a server, and which of them the server did
/// not acknowledge deleting: what to tell the user to remove by hand.
package final class SessionNames: Sendable {
  private struct State {
    var made = 0
    var left: [String] = []
  }

  private let state = Guarded(State())

  package init() {}

  /// Notes a conversation on `name`: whether it made the session (it sent a message), and
  /// whether the server deleted it.
  func note(_ name: String, made: Bool, deleted: Bool) {
    guard made else { return }
    state.withLock { state in
      state.made += 1
      if !deleted { state.left.append(name) }
    }
  }

  /// How many sessions were made.
  package var made: Int { state.withLock { $0.made } }

  /// The sessions made and not deleted, sorted.
  package var left: [String] { state.withLock { $0.left.sorted() } }
}

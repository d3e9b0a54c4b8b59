import TGPTBridgeClient
import TGPTCommandSupport

#if canImport(Glibc)
  import Glibc
#endif

/// Runs the work of `check` or `bench` so that SIGINT or SIGTERM cancels it: the
/// conversations under way stop and the sessions they made are still deleted. A second signal
/// ends the process at once. Returns the work's value and the signal that stopped it, if any.
func stoppableBySignal<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> (T, SignalTrap) {
  let trap = SignalTrap()
  let work = WorkSlot()
  trap.install { _ in
    Diagnostics.write("tgpt-ws-bridge: stopping; deleting the sessions made (again to quit at once)\n")
    if !work.cancel() { _exit(trap.exitCode) }
  }
  return (await work.run(body), trap)
}

/// Tells the user of sessions the server did not delete, and how to remove them.
func warnOfLeftovers(_ sessions: SessionNames, prefix: String) {
  let left = sessions.left
  guard !left.isEmpty else { return }
  Diagnostics.warning(
    "the server did not delete \(left.count) of the \(sessions.made) sessions made (\(left[0])…); "
      + "remove them from its store with: tgpt-session rm --prefix \(prefix)")
}

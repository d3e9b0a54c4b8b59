import ArgumentParser
import TGPTBridgeClient
import TGPTCommandSupport
import TGPTEvents

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

/// The URL argument's help, for `check` and `bench`.
let sessionsURLHelp =
  "The server: ws://host:port or the http:// address serve prints (a /ws/chat/ID URL is read as its base), or a URL with {session_id}."

/// The sessions' address from the URL argument; a URL that is not one is a usage error.
func sessionsTarget(_ url: String) throws -> SessionsTarget {
  do throws(ConnectTarget.Mistake) {
    return try SessionsTarget(url)
  } catch {
    throw ValidationError(error.description)
  }
}

/// Tells the user the server refused the token, and what to do; the exit code to end with.
func refusedToken(_ target: SessionsTarget, token: String?) -> ExitCode {
  reportRefusedToken(
    at: target.displayed, "missing or wrong bearer token",
    tokenGiven: token != nil || target.template.contains("token="))
  return ExitCode(ErrorKind.auth.exitCode)
}

/// The server's refusal of a token (`why`, in its words), and what to do, on stderr.
func reportRefusedToken(at server: String, _ why: String, tokenGiven: Bool) {
  Diagnostics.error(
    "the server refused the connection to \(server): \(why); "
      + (tokenGiven ? "check --token or TGPT_WS_TOKEN" : "give it with --token or TGPT_WS_TOKEN"))
}

import Logging
import ServiceLifecycle
import TGPTBridge

/// Runs first when SIGTERM arrives (it is the last service of the group): refuses new work,
/// lets turns in flight finish, closes connections with 1001; only then does the HTTP server
/// stop.
struct Drainer: Service {
  let relay: ChildRelay
  let registry: ConnectionRegistry
  let timeout: Duration
  let logger: Logger

  func run() async throws {
    try? await gracefulShutdown()
    registry.startDraining()
    relay.stopAccepting()
    let inFlight = relay.inFlight
    logger.info("draining: \(inFlight) turn(s) in flight")
    if !(await relay.drain(timeout: timeout)) {
      logger.warning("drain timeout: \(relay.inFlight) turn(s) still in flight")
    }
    await registry.closeAll(timeout: .seconds(10))
  }
}

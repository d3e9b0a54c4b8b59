import Logging
import ServiceLifecycle
import TGPTBridge

/// Runs first when SIGTERM arrives (it is the last service of the group): refuses new work,
/// lets turns in flight finish; past the drain timeout, interrupts the rest (the child is sent
/// SIGTERM, so each turn ends with an `interrupted` error and its partial answer is stored);
/// then closes connections with 1001, after the events queued for them. Only then does the
/// HTTP server stop.
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
      logger.warning("drain timeout: interrupting \(relay.inFlight) turn(s) still in flight")
      await relay.stop(grace: .seconds(5), interrupting: true)
    }
    await registry.closeAll(timeout: .seconds(10))
  }
}

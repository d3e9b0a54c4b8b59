import NIOSSL
package import TGPTBridge

/// Everything `tgpt-ws-bridge serve` is configured with.
package struct ServerSettings: Sendable {
  package var host = "127.0.0.1"
  package var port = 8000
  /// The bearer token clients must present; nil: no authentication (unless `tokens`).
  package var token: String?
  /// The principals and their tokens' digests (`--tokens`): each token lets its principal in,
  /// to its own sessions only.
  package var tokens: TokenTable?
  /// What each principal of `tokens` may use at once.
  package var quotas = PrincipalQuotas.Limits()
  /// Pages allowed to connect besides the server's own (exact `scheme://host[:port]`); empty:
  /// any page on a server with a token, none on one without (see `AccessPolicy.isAllowed`).
  /// Requests without an Origin header (non-browser clients) are always allowed.
  package var allowedOrigins: [String] = []
  /// Whether `/` serves the web client (`--no-web` turns it off).
  package var webClient = true
  package var maxMessageBytes = 64 << 10
  package var maxConnections = 10_000
  /// TCP connections open at once, of every kind (WebSocket, HTTP, not yet spoken): past it the
  /// server stops accepting until one closes. Set below the open-file limit.
  package var maxOpenConnections = 10_000
  /// Connections that have not yet sent a whole request head; past it the oldest is closed.
  package var maxWaitingConnections = 1024
  /// How long a connection may take to send its request head (and an HTTP keep-alive
  /// connection may stay idle between requests).
  package var headerTimeout: Duration = .seconds(10)
  /// Messages per second per client address, over all its connections and HTTP requests (0:
  /// unlimited), with bursts of `rateBurst`.
  package var ratePerSecond = 20.0
  /// Messages per second per bearer token, over every client presenting it (0: unlimited).
  package var tokenRatePerSecond = 0.0
  package var rateBurst = 100
  /// A connection with nothing in flight and no message for this long is closed.
  package var idleTimeout: Duration = .seconds(600)
  package var pingInterval: Duration = .seconds(30)
  /// How long SIGTERM waits for turns in flight before closing connections.
  package var drainTimeout: Duration = .seconds(30)
  /// TLS for wss/https, from `loadTLS(certificate:key:)`; nil: plain ws/http.
  var tls: TLSConfiguration?

  package init() {}

  /// The largest single frame accepted: bigger messages within it get an error event and the
  /// connection stays; a frame beyond it ends the connection with 1009.
  package var maxFrameBytes: Int { max(1 << 20, maxMessageBytes * 2) }
}

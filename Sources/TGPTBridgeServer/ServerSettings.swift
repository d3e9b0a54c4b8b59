import NIOSSL
import TGPTBridge

/// Everything `tgpt-ws-bridge serve` is configured with.
public struct ServerSettings: Sendable {
  public var host = "127.0.0.1"
  public var port = 8000
  /// The bearer token clients must present; nil: no authentication (unless `tokens`).
  public var token: String?
  /// The principals and their tokens' digests (`--tokens`): each token lets its principal in,
  /// to its own sessions only.
  public var tokens: TokenTable?
  /// What each principal of `tokens` may use at once.
  public var quotas = PrincipalQuotas.Limits()
  /// Pages allowed to connect besides the server's own (exact `scheme://host[:port]`); empty:
  /// any page on a server with a token, none on one without (see `AccessPolicy.isAllowed`).
  /// Requests without an Origin header (non-browser clients) are always allowed.
  public var allowedOrigins: [String] = []
  /// Whether `/` serves the web client (`--no-web` turns it off).
  public var webClient = true
  public var maxMessageBytes = 64 << 10
  public var maxConnections = 10_000
  /// TCP connections open at once, of every kind (WebSocket, HTTP, not yet spoken): past it the
  /// server stops accepting until one closes. Set below the open-file limit.
  public var maxOpenConnections = 10_000
  /// Connections that have not yet sent a whole request head; past it the oldest is closed.
  public var maxWaitingConnections = 1024
  /// How long a connection may take to send its request head (and an HTTP keep-alive
  /// connection may stay idle between requests).
  public var headerTimeout: Duration = .seconds(10)
  /// Messages per second per client address, over all its connections and HTTP requests (0:
  /// unlimited), with bursts of `rateBurst`.
  public var ratePerSecond = 20.0
  /// Messages per second per bearer token, over every client presenting it (0: unlimited).
  public var tokenRatePerSecond = 0.0
  public var rateBurst = 100
  /// A connection with nothing in flight and no message for this long is closed.
  public var idleTimeout: Duration = .seconds(600)
  public var pingInterval: Duration = .seconds(30)
  /// How long SIGTERM waits for turns in flight before closing connections.
  public var drainTimeout: Duration = .seconds(30)
  /// TLS for wss/https, from `loadTLS(certificate:key:)`; nil: plain ws/http.
  var tls: TLSConfiguration?

  public init() {}

  /// The largest single frame accepted: bigger messages within it get an error event and the
  /// connection stays; a frame beyond it ends the connection with 1009.
  public var maxFrameBytes: Int { max(1 << 20, maxMessageBytes * 2) }
}

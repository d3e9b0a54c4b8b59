import Foundation
import Testing

/// nginx (Debian's) on a free loopback port, balancing round-robin over `upstreams` with the
/// WebSocket upgrade headers passed on: the proxy of docs/GUIDE.md's deployment recipe, whose
/// `location` block is the one written here.
final class NginxProxy: Sendable {
  let process: RunningProcess
  let directory: String
  /// `http://127.0.0.1:PORT`.
  let baseURL: String

  /// `ws://127.0.0.1:PORT/ws/chat/<session>`.
  func ws(_ session: String) -> String { "ws" + baseURL.dropFirst(4) + "/ws/chat/" + session }

  /// The recipe's `location` block (docs/GUIDE.md shows the same lines).
  static let location = """
      location / {
        proxy_pass http://tgpt;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_buffering off;
        proxy_read_timeout 1h;
        proxy_next_upstream error timeout;
      }
    """

  static func configuration(directory: String, port: Int, upstreams: [Int]) -> String {
    """
    master_process off;
    daemon off;
    pid \(directory)/nginx.pid;
    error_log \(directory)/error.log warn;
    events { worker_connections 1024; }
    http {
      access_log off;
      client_body_temp_path \(directory)/body;
      proxy_temp_path \(directory)/proxy;
      fastcgi_temp_path \(directory)/fastcgi;
      uwsgi_temp_path \(directory)/uwsgi;
      scgi_temp_path \(directory)/scgi;
      map $http_upgrade $connection_upgrade { default upgrade; '' close; }
      upstream tgpt {
    \(upstreams.map { "    server 127.0.0.1:\($0) max_fails=1 fail_timeout=10s;" }.joined(separator: "\n"))
      }
      server {
        listen 127.0.0.1:\(port);
    \(location)
      }
    }
    """
  }

  /// Starts nginx in front of `upstreams` (ports on 127.0.0.1); returns once it answers.
  static func start(upstreams: [Int]) async throws -> NginxProxy {
    let directory = Harness.scratchDirectory().path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    // nginx takes no port 0: ask the system for a free one, and try again should another
    // process take it first.
    for _ in 0..<5 {
      let port = try await freePort()
      let file = directory + "/nginx.conf"
      try configuration(directory: directory, port: port, upstreams: upstreams)
        .write(toFile: file, atomically: true, encoding: .utf8)
      let (process, _) = try await RunningProcess.start(
        "/bin/sh", ["-c", #"echo starting; exec /usr/sbin/nginx -p "$0" -c "$0/nginx.conf""#, directory],
        env: Harness.environment())
      let proxy = NginxProxy(process: process, directory: directory, baseURL: "http://127.0.0.1:\(port)")
      let up = try await Harness.eventually("nginx on port \(port)") {
        guard process.isRunning else { return true }
        return try await Harness.shell("curl -s -o /dev/null -w '%{http_code}' \(proxy.baseURL)/healthz").text != "000"
      }
      if up, process.isRunning { return proxy }
    }
    throw Spawn.Failure(
      description:
        "nginx did not start: \(String(describing: try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)))"
    )
  }

  private init(process: RunningProcess, directory: String, baseURL: String) {
    self.process = process
    self.directory = directory
    self.baseURL = baseURL
  }

  /// A port free on 127.0.0.1 at the time of asking.
  static func freePort() async throws -> Int {
    let text = try await Harness.shell(
      #"python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'"#
    ).text
    guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
      throw Spawn.Failure(description: "no free port: \(text)")
    }
    return port
  }

  /// Stops nginx at once (SIGTERM). It runs as one process (`master_process off`): a worker
  /// of its own outlived some runs, its master gone, holding the port.
  func stop() { process.signal(SIGTERM) }
}

// One WebSocket to /ws/chat/{session}, opened again with backoff when it drops.

/** Milliseconds to wait before reconnection `attempt` (0, 1, …): exponential, capped, jittered. */
export function backoff(attempt, random = Math.random) {
  const ceiling = Math.min(30000, 500 * 2 ** attempt);
  // Half fixed, half random, so clients cut off together do not all come back at once.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The WebSocket address of `session` beside the page (under the same path, same TLS). */
export function chatURL(session, token, page = location.href) {
  const url = new URL('ws/chat/' + encodeURIComponent(session), page);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  // Browsers cannot set headers on a WebSocket: the token goes in the query (see the guide).
  if (token) url.searchParams.set('token', token);
  return url.href;
}

export class Connection {
  /**
   * `handlers`: open(), event(object), refused() when the server wants a (new) token,
   * state({state, retryAt}) as the connection changes.
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.socket = null;
    this.session = null;
    this.token = null;
    this.attempt = 0;
    this.timer = null;
    this.retryAt = 0;
    this.wantsToken = false;
    // Lines sent while the socket is still opening: they go out once it is open.
    this.outbox = [];
  }

  get isOpen() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the connection to `session` (closing any other). */
  open(session, token) {
    this.session = session;
    this.token = token;
    this.wantsToken = false;
    this.outbox = [];
    this.stop();
    this.connect();
  }

  /** Closes without reconnecting. */
  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    const old = this.socket;
    this.socket = null;
    if (old && old.readyState <= WebSocket.OPEN) old.close(1000, 'switching');
  }

  /** Tries now instead of waiting for the backoff. */
  retryNow() {
    if (this.timer === null || this.wantsToken) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  /**
   * Sends an object as one text frame, at once or as soon as the socket is open; false when
   * there is no socket to send it on (waiting to reconnect, or refused).
   */
  send(object) {
    const text = JSON.stringify(object);
    if (this.isOpen) this.socket.send(text);
    else if (this.socket?.readyState === WebSocket.CONNECTING) this.outbox.push(text);
    else return false;
    return true;
  }

  connect() {
    this.handlers.state({ state: 'connecting' });
    let socket;
    try {
      socket = new WebSocket(chatURL(this.session, this.token));
    } catch {
      this.schedule();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.handlers.state({ state: 'open' });
      this.handlers.open();
      for (const text of this.outbox.splice(0)) socket.send(text);
    };
    socket.onmessage = (message) => {
      if (this.socket !== socket || typeof message.data !== 'string') return;
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (event.type === 'error' && event.code === 'auth') this.wantsToken = true;
      this.handlers.event(event);
    };
    socket.onclose = (close) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.outbox = [];
      // 1008: the token is missing, wrong or no longer valid; trying again would not help.
      if (close.code === 1008 || this.wantsToken) {
        this.wantsToken = true;
        this.handlers.state({ state: 'refused' });
        this.handlers.refused();
        return;
      }
      this.schedule();
    };
  }

  schedule() {
    const delay = backoff(this.attempt++);
    this.retryAt = Date.now() + delay;
    this.handlers.state({ state: 'waiting', retryAt: this.retryAt });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }
}

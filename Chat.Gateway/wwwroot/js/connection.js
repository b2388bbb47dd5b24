// The WebSocket to /ws: opening it, reconnecting with backoff, noticing a dead one, sending frames, and the refs
// that tie an answer (ack, error) to the frame it answers. Refs belong to one socket: when it goes, so do they.

const PING_INTERVAL_MS = 25_000;
const STALE_AFTER_MS = 2 * PING_INTERVAL_MS + 15_000; // nothing heard (not even a pong) for this long: the socket is dead
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const STABLE_AFTER_MS = 5_000; // a connection that lived this long resets the backoff

export class Connection {
  #socket = null;
  #openedAt = 0;
  #lastHeardAt = 0;
  #attempt = 0;
  #reconnectTimer = null;
  #pingTimer = null;
  #refCounter = 0;
  /** ref -> what the caller attached to the frame, until its answer. */
  #pending = new Map();
  #handlers;
  /** No reconnects: the user pressed Disconnect, or the page waits for a sign-in. */
  stopped = true;
  /** Counts connect() calls, so a decision taken about an older attempt can tell it is stale. */
  generation = 0;

  /**
   * @param handlers url() -> the address to open; opened(); frame(object); lost(contexts of unanswered frames);
   *   closed({ code, reason, wasOpen }) after an unwanted close, which decides whether to reconnect;
   *   status(status, label, title); unopenable(error) when the browser refuses the address itself.
   */
  constructor(handlers) {
    this.#handlers = handlers;
  }

  get socket() {
    return this.#socket;
  }

  get isOpen() {
    return this.#socket !== null && this.#socket.readyState === WebSocket.OPEN;
  }

  get reconnectPending() {
    return this.#reconnectTimer !== null;
  }

  /** Opens a new connection, replacing the current one. */
  connect() {
    this.stopped = false;
    this.generation += 1;
    this.#cancelReconnect();
    if (this.#socket) this.#abandon(1000, "reconnecting");

    let ws;
    try {
      ws = new WebSocket(this.#handlers.url());
    } catch (error) {
      this.stopped = true;
      this.#handlers.status("disconnected");
      this.#handlers.unopenable(error);
      return;
    }
    this.#socket = ws;
    this.#openedAt = 0;
    this.#handlers.status("connecting");

    ws.onopen = () => {
      if (ws !== this.#socket) return;
      this.#openedAt = this.#lastHeardAt = Date.now();
      this.#handlers.status("connected");
      this.#startPing();
      this.#handlers.opened();
    };
    ws.onmessage = (event) => {
      if (ws !== this.#socket) return;
      this.#lastHeardAt = Date.now();
      if (typeof event.data !== "string") return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.#handlers.frame(frame);
    };
    ws.onerror = () => {
      // A close event always follows; that is where we act.
    };
    ws.onclose = (event) => {
      if (ws === this.#socket) this.#closed(event.code, event.reason);
    };
  }

  /** Closes on purpose: no reconnect until connect() is called again. */
  stop(code = 1000, reason = "bye") {
    this.stopped = true;
    this.#cancelReconnect();
    if (this.#socket) this.#abandon(code, reason);
    this.#handlers.status("disconnected");
  }

  /** Reconnects after a backoff with jitter; a connection that lived long enough started the backoff afresh. */
  reconnectLater(code, reason) {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.#attempt);
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2)); // "equal jitter"
    this.#attempt += 1;
    const why = code === 1001 ? "server restarting" : code === 1013 ? "fell behind" : "connection lost";
    this.#handlers.status("connecting", `Reconnecting (${why})…`, `Next attempt in ${(delay / 1000).toFixed(1)} s (close code ${code}${reason ? `: ${reason}` : ""})`);
    this.#cancelReconnect();
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.connect();
    }, delay);
  }

  /** The next attempt starts without backoff (a new name, the network back). */
  resetBackoff() {
    this.#attempt = 0;
  }

  send(frame) {
    if (!this.isOpen) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  /** Sends `frame` with a new ref; `context` is kept until answer(ref). @returns the ref, or null when not sent. */
  request(frame, context, prefix = "c") {
    if (!this.isOpen) return null;
    const ref = this.nextRef(prefix);
    this.#pending.set(ref, context);
    this.send({ ...frame, ref });
    return ref;
  }

  /** @returns the context of an unanswered request, which is answered from now on; undefined if unknown. */
  answer(ref) {
    if (typeof ref !== "string") return undefined;
    const context = this.#pending.get(ref);
    this.#pending.delete(ref);
    return context;
  }

  nextRef(prefix) {
    return `${prefix}${++this.#refCounter}`;
  }

  #closed(code, reason) {
    const wasOpen = this.#openedAt > 0;
    const lived = wasOpen ? Date.now() - this.#openedAt : 0;
    this.#socket = null;
    this.#lost();
    if (this.stopped) {
      this.#handlers.status("disconnected");
      return;
    }
    if (lived >= STABLE_AFTER_MS) this.#attempt = 0;
    this.#handlers.closed({ code, reason, wasOpen });
  }

  /** Detaches the current socket so that its close does not count, and closes it. */
  #abandon(code, reason) {
    const old = this.#socket;
    this.#socket = null;
    old.onopen = old.onmessage = old.onerror = old.onclose = null;
    try {
      old.close(code, reason);
    } catch {
      // already closing
    }
    this.#lost();
  }

  #lost() {
    this.#stopPing();
    const unanswered = [...this.#pending.values()];
    this.#pending.clear();
    this.#handlers.lost(unanswered);
  }

  #cancelReconnect() {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
  }

  #startPing() {
    this.#stopPing();
    this.#pingTimer = setInterval(() => {
      if (!this.isOpen) return;
      if (Date.now() - this.#lastHeardAt > STALE_AFTER_MS) {
        // Half-open TCP: the browser may not notice for minutes. Drop it and reconnect.
        this.#abandon(4000, "no pong");
        this.reconnectLater(4000, "no answer to ping");
        return;
      }
      this.send({ type: "ping" });
    }, PING_INTERVAL_MS);
  }

  #stopPing() {
    clearInterval(this.#pingTimer);
    this.#pingTimer = null;
  }
}

// The client's connection model (Curator's connection states, with ZooKeeper's client-side
// knowledge of time): connecting → connected; a lost socket suspends the session, which either
// comes back (reconnected) or is known gone — the server said so, or the session timeout passed
// since the client last heard from the service (expired). closed and authFailed are ends too.
// Pure: the caller passes the time.

export type ConnectionState =
  | "connecting"
  | "connected"
  | "suspended"
  | "reconnected"
  | "expired"
  | "closed"
  | "authFailed";

const ends: ReadonlySet<ConnectionState> = new Set(["expired", "closed", "authFailed"]);

export class ConnectionStates {
  #state: ConnectionState = "connecting";
  #lastHeardMs: number | null = null;
  #sessionTimeoutMs = 0;
  readonly #changed: (state: ConnectionState) => void;

  constructor(changed: (state: ConnectionState) => void = () => {}) {
    this.#changed = changed;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** True while a socket with a live session is open (connected or reconnected). */
  get connected(): boolean {
    return this.#state === "connected" || this.#state === "reconnected";
  }

  /** True once nothing more can happen: expired, closed or authFailed. */
  get ended(): boolean {
    return ends.has(this.#state);
  }

  get sessionTimeoutMs(): number {
    return this.#sessionTimeoutMs;
  }

  /** Milliseconds since the service was last heard (Infinity before the first answer). */
  sinceHeardMs(nowMs: number): number {
    return this.#lastHeardMs === null ? Number.POSITIVE_INFINITY : nowMs - this.#lastHeardMs;
  }

  /** When the session is gone for sure if nothing is heard before (null until connected). */
  expiresAtMs(): number | null {
    return this.#lastHeardMs === null ? null : this.#lastHeardMs + this.#sessionTimeoutMs;
  }

  /** A socket opened with a session: the first one, or one that resumed the session. */
  opened(nowMs: number, sessionTimeoutMs: number): void {
    if (this.ended) return;
    this.#sessionTimeoutMs = sessionTimeoutMs;
    this.#lastHeardMs = nowMs;
    this.#set(this.#state === "suspended" ? "reconnected" : "connected");
  }

  /** Anything arrived from the service (a reply, an event, a pong). */
  heard(nowMs: number): void {
    if (this.connected) this.#lastHeardMs = nowMs;
  }

  /** The socket is gone: the session may live on at the service. */
  lost(): void {
    if (this.connected) this.#set("suspended");
  }

  /**
   * While suspended: true (and expired) once the session timeout has passed since the service
   * was last heard — the service has expired the session by then, as ZooKeeper's client reasons.
   */
  expireIfOverdue(nowMs: number): boolean {
    if (this.#state !== "suspended") return this.#state === "expired";
    const at = this.expiresAtMs();
    if (at === null || nowMs < at) return false;
    this.#set("expired");
    return true;
  }

  /** The service said the session is gone. */
  expired(): void {
    if (!this.ended) this.#set("expired");
  }

  /** The service refused the token or the session's password. */
  authFailed(): void {
    if (!this.ended) this.#set("authFailed");
  }

  /** The application closed the client. */
  closed(): void {
    if (!this.ended) this.#set("closed");
  }

  #set(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#changed(state);
  }
}

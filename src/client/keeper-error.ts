// Typed errors for SDK callers: ZooKeeper's error name and code, the path, and the message.

export class KeeperError extends Error {
  override readonly name = "KeeperError";
  readonly code: number;
  readonly error: string;
  readonly path: string | undefined;
  /** The message as the service gave it, without the name, code and path `message` leads with. */
  readonly detail: string;

  constructor(error: { code: number; name: string; message: string; path?: string }) {
    super(`${error.name} (${error.code})${error.path ? ` ${error.path}` : ""}: ${error.message}`);
    this.code = error.code;
    this.error = error.name;
    this.path = error.path;
    this.detail = error.message;
  }

  /** True for errors after which the outcome of a write is unknown (retry with care). */
  get isConnectionLoss(): boolean {
    return this.error === "CONNECTIONLOSS" || this.error === "OPERATIONTIMEOUT";
  }
}

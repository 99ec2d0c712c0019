// Follows the changes at a path with the long-poll watch route: each poll resumes from the last
// zxid seen, so nothing between two polls is missed; a start behind the change log (COMPACTED)
// resumes from the present and says so. The tree browser and the live-events pane both use it.

import { ApiError, call, znodeUrl } from "./api.ts";
import type { WatchEvent } from "./types.ts";

const pollWaitS = 25;

export interface WatchCallbacks {
  readonly onEvents: (events: WatchEvent[]) => void;
  /** What the loop is doing, for a status line. */
  readonly onState?: (state: string) => void;
  /** A refusal the loop cannot get past (a bad path, no permission): it stops. */
  readonly onRefused?: (error: ApiError) => void;
}

function watchUrl(path: string, since: number, recursive: boolean): string {
  const tail = znodeUrl(path).slice("/v1/znodes".length);
  return `/v1/watch${tail}?since=${since}&wait=${pollWaitS}${recursive ? "&recursive" : ""}`;
}

/** Polls until `signal` aborts. */
export async function watchLoop(
  path: string,
  recursive: boolean,
  signal: AbortSignal,
  callbacks: WatchCallbacks,
): Promise<void> {
  const say = callbacks.onState ?? (() => {});
  let since = -1;
  while (!signal.aborted) {
    try {
      if (since < 0) {
        // Start from the present: a read of the root says which zxid that is.
        since = (await call(znodeUrl("/", "stat"), { signal })).zxid ?? 0;
        say(`Watching from zxid ${since}`);
      }
      const answer = await call<{ zxid: number; events: WatchEvent[] }>(
        watchUrl(path, since, recursive),
        { signal },
      );
      since = answer.body.zxid;
      if (answer.body.events.length > 0) callbacks.onEvents(answer.body.events);
      say(`Watching; seen through zxid ${since}`);
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && e.zkName === "COMPACTED") {
        say("Fell behind the change log (COMPACTED): events were missed; resuming from now");
        since = -1;
        continue;
      }
      if (e instanceof ApiError && e.status < 500 && e.status !== 429) {
        say(e.toString());
        callbacks.onRefused?.(e);
        return;
      }
      say(`${e instanceof ApiError ? e.toString() : String(e)} — retrying`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

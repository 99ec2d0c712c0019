// Watch events at a path (or below it) as they happen, with their zxids (watch-loop.ts).

import { useEffect, useState } from "preact/hooks";
import { treeHref } from "./paths.ts";
import type { WatchEvent } from "./types.ts";
import { watchLoop } from "./watch-loop.ts";

interface Seen extends WatchEvent {
  readonly atMs: number;
}

const keptEvents = 500;
export function EventsPanel(props: { initialPath: string }) {
  const [path, setPath] = useState(props.initialPath);
  const [recursive, setRecursive] = useState(true);
  const [watching, setWatching] = useState<{ path: string; recursive: boolean } | null>(null);
  const [events, setEvents] = useState<Seen[]>([]);
  const [state, setState] = useState<string>("");

  useEffect(() => {
    if (!watching) return;
    const controller = new AbortController();
    void watchLoop(watching.path, watching.recursive, controller.signal, {
      onEvents: (fresh) => {
        const atMs = Date.now();
        setEvents((old) =>
          [...fresh.map((e) => ({ ...e, atMs })).reverse(), ...old].slice(0, keptEvents),
        );
      },
      onState: setState,
      onRefused: () => setWatching(null),
    });
    return () => controller.abort();
  }, [watching]);

  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Live events</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (watching) {
            setWatching(null);
            setState("Stopped");
            return;
          }
          setEvents([]);
          setWatching({ path: path.trim() || "/", recursive });
        }}
      >
        <label for="events-path">Path</label>
        <input
          id="events-path"
          spellcheck={false}
          disabled={watching !== null}
          value={path}
          onInput={(e) => setPath((e.target as HTMLInputElement).value)}
        />
        <label class="check">
          <input
            type="checkbox"
            disabled={watching !== null}
            checked={recursive}
            onChange={(e) => setRecursive((e.target as HTMLInputElement).checked)}
          />
          recursive (the whole subtree)
        </label>
        <button type="submit">{watching ? "Stop" : "Watch"}</button>
      </form>
      <p class="muted" role="status" data-testid="events-state">
        {state}
      </p>
      <div class="scroll">
        <table class="events" aria-live="polite">
          <thead>
            <tr>
              <th scope="col">zxid</th>
              <th scope="col">event</th>
              <th scope="col">path</th>
              <th scope="col">received</th>
            </tr>
          </thead>
          <tbody data-testid="events">
            {events.map((e, i) => (
              <tr key={`${e.zxid} ${e.event} ${e.path} ${i}`}>
                <td>{e.zxid}</td>
                <td>{e.event}</td>
                <td>
                  <a href={treeHref(e.path)}>{e.path}</a>
                </td>
                <td>{new Date(e.atMs).toLocaleTimeString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

// The ensemble's sessions (admin scope): timeout, member, connections, watches and ephemerals,
// paged, refreshed every few seconds; an operator may close one after a confirmation.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "./api.ts";
import { duration } from "./format.ts";
import { Notice, Refusal } from "./messages.tsx";
import { treeHref } from "./paths.ts";
import type { SessionRow } from "./types.ts";
import { usePageVisible } from "./visibility.ts";

interface Page {
  readonly sessions: SessionRow[];
  readonly more: boolean;
  readonly zxid: number;
}

const refreshMs = 5_000;

export function SessionsPanel() {
  const [rows, setRows] = useState<SessionRow[] | null>(null);
  const [more, setMore] = useState(false);
  const [zxid, setZxid] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [shown, setShown] = useState(1);
  const cancel = useRef<HTMLButtonElement>(null);
  // The pressed button goes away: keyboard focus moves to the safe answer.
  useEffect(() => {
    if (confirming !== null) cancel.current?.focus();
  }, [confirming]);

  /** The first `pages` pages again (what the operator has loaded so far). */
  const reload = useCallback(async (pages: number) => {
    try {
      const all: SessionRow[] = [];
      let after: string | undefined;
      let hasMore = false;
      let at = 0;
      for (let i = 0; i < pages; i++) {
        const page = await call<Page>(`/v1/admin/sessions${after ? `?after=${after}` : ""}`);
        all.push(...page.body.sessions);
        hasMore = page.body.more;
        at = page.body.zxid;
        after = page.body.sessions.at(-1)?.sessionId;
        if (!hasMore) break;
      }
      setRows(all);
      setMore(hasMore);
      setZxid(at);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.toString() : `The service did not answer: ${String(e)}`);
    }
  }, []);

  const visible = usePageVisible();
  useEffect(() => {
    if (!visible) return;
    void reload(shown);
    const timer = setInterval(() => void reload(shown), refreshMs);
    return () => clearInterval(timer);
  }, [reload, shown, visible]);

  const close = async (id: string) => {
    setConfirming(null);
    try {
      const answer = await call<{ zxid: number }>(`/v1/admin/sessions/${id}`, { method: "DELETE" });
      setNotice(`Closed session 0x${BigInt(id).toString(16)} (zxid ${answer.body.zxid})`);
      await reload(shown);
    } catch (e) {
      setError(e instanceof ApiError ? e.toString() : String(e));
    }
  };

  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p class="muted">
        As the ensemble's applied state holds them at zxid {zxid}; refreshed every{" "}
        {refreshMs / 1000} s. Closing a session deletes its ephemeral nodes and tells its clients it
        expired.
      </p>
      <Notice text={notice} />
      <Refusal text={error} />
      {rows === null ? null : rows.length === 0 ? (
        <p>No open sessions.</p>
      ) : (
        <div class="scroll">
          <table class="sessions">
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Timeout</th>
                <th scope="col">Member</th>
                <th scope="col">Connected</th>
                <th scope="col">Watches</th>
                <th scope="col">Ephemerals</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.sessionId} data-session={s.sessionIdHex}>
                  <th scope="row">
                    <code>{s.sessionIdHex}</code>
                  </th>
                  <td>{duration(s.timeoutMs)}</td>
                  <td>{s.member}</td>
                  <td>
                    {s.connections.length === 0
                      ? "no (waiting for its client or its timeout)"
                      : s.connections.map((c) => `${c.protocol} @ member ${c.member}`).join(", ")}
                  </td>
                  <td>{s.watches}</td>
                  <td>
                    {s.ephemeralCount === 0 ? (
                      "none"
                    ) : (
                      <details>
                        <summary>{s.ephemeralCount}</summary>
                        <ul>
                          {s.ephemerals.map((p) => (
                            <li key={p}>
                              <a href={treeHref(p)}>{p}</a>
                            </li>
                          ))}
                          {s.ephemeralCount > s.ephemerals.length ? <li>…</li> : null}
                        </ul>
                      </details>
                    )}
                  </td>
                  <td>
                    {confirming === s.sessionId ? (
                      <span role="alertdialog" aria-label={`Close session ${s.sessionIdHex}?`}>
                        Close it?{" "}
                        <button
                          type="button"
                          class="danger"
                          onClick={() => void close(s.sessionId)}
                        >
                          Yes, close
                        </button>{" "}
                        <button type="button" ref={cancel} onClick={() => setConfirming(null)}>
                          Cancel
                        </button>
                      </span>
                    ) : (
                      <button type="button" onClick={() => setConfirming(s.sessionId)}>
                        Close…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more ? (
        <button type="button" onClick={() => setShown((n) => n + 1)}>
          Load more
        </button>
      ) : null}
    </section>
  );
}

// The ensemble, live: each member's role, term, leader, indexes and lag, last contact, storage,
// connections and watches, asleep or awake — from the admin stream, redrawn on every view.

import { useEffect, useState } from "preact/hooks";
import { ApiError, readEvents } from "./api.ts";
import { bytes, duration } from "./format.ts";
import { TrafficChart } from "./traffic-chart.tsx";
import type { EnsembleView, MemberView } from "./types.ts";
import { usePageVisible } from "./visibility.ts";

type Link = "connecting" | "live" | "reconnecting" | "paused";

const linkText: Record<Link, string> = {
  connecting: "Connecting",
  live: "Live",
  reconnecting: "Reconnecting",
  paused: "Paused while this tab is hidden",
};

export function EnsemblePanel() {
  const [view, setView] = useState<EnsembleView | null>(null);
  const [link, setLink] = useState<Link>("connecting");
  const [refused, setRefused] = useState<string | null>(null);
  const visible = usePageVisible();

  useEffect(() => {
    if (!visible) {
      setLink("paused");
      return;
    }
    const abort = new AbortController();
    void (async () => {
      while (!abort.signal.aborted) {
        try {
          await readEvents("/v1/admin/ensemble/stream", abort.signal, (event, data) => {
            if (event !== "ensemble") return;
            setView(JSON.parse(data) as EnsembleView);
            setLink("live");
          });
        } catch (e) {
          if (abort.signal.aborted) return;
          if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
            setRefused(e.toString());
            return;
          }
        }
        // The stream ended (it does every few minutes) or broke: open another shortly.
        setLink("reconnecting");
        await new Promise((r) => setTimeout(r, 1_000));
      }
    })();
    return () => abort.abort();
  }, [visible]);

  if (refused)
    return (
      <p class="error" role="alert">
        {refused} — the ensemble view needs a token with the admin scope.
      </p>
    );
  if (!view) return <p class="loading">Waiting for the first view of the ensemble…</p>;
  const reachable = view.members.filter((m) => m.reachable);
  const leaders = reachable.filter((m) => m.role === "leader");
  const newest = Math.max(0, ...reachable.map((m) => m.commitIndex ?? 0));
  const quorum = Math.floor(view.members.length / 2) + 1;
  return (
    <section aria-labelledby="ensemble-title">
      <h2 id="ensemble-title">
        Ensemble <code>{view.name}</code>
      </h2>
      <p class="summary" aria-live="polite">
        <span class={`dot ${link}`} aria-hidden="true" />
        {linkText[link]} ·{" "}
        {leaders.length === 1 ? (
          <>
            leader: <strong data-testid="leader">member {leaders[0]?.member}</strong> (term{" "}
            {leaders[0]?.term})
          </>
        ) : (
          <strong>no leader</strong>
        )}{" "}
        · {reachable.length} of {view.members.length} members reachable
        {reachable.length < quorum ? " — no quorum: writes wait" : ""} · updated{" "}
        {new Date(view.atMs).toLocaleTimeString()}
      </p>
      <ul class="members">
        {view.members.map((m) => (
          <MemberCard key={m.member} m={m} newest={newest} atMs={view.atMs} />
        ))}
      </ul>
      <TrafficChart members={view.members} nowMs={view.atMs} />
    </section>
  );
}

function MemberCard(props: { m: MemberView; newest: number; atMs: number }) {
  const { m } = props;
  // An observer follows the leader like a follower but never votes: it is named for what it is.
  const observer = m.role === "follower" && (m.learners ?? []).includes(m.member);
  const role = m.reachable ? (observer ? "observer" : (m.role ?? "unknown")) : "unreachable";
  return (
    <li class={`member ${role}`} data-member={m.member} data-role={role}>
      <h3>
        Member {m.member} <span class={`role ${role}`}>{role}</span>
      </h3>
      {m.reachable ? (
        <dl>
          <dt>Term</dt>
          <dd>{m.term}</dd>
          <dt>Leader</dt>
          <dd>
            {m.leader === null || m.leader === undefined ? "none known" : `member ${m.leader}`}
          </dd>
          <dt>Commit / applied</dt>
          <dd>
            {m.commitIndex} / {m.appliedIndex}
          </dd>
          <dt>Lag</dt>
          <dd>{Math.max(0, props.newest - (m.appliedIndex ?? 0))} entries</dd>
          <dt>Last contact</dt>
          <dd>{lastContact(m, props.atMs)}</dd>
          <dt>Storage</dt>
          <dd>{bytes(m.storageBytes ?? 0)}</dd>
          <dt>Znodes / sessions</dt>
          <dd>
            {m.nodeCount} / {m.sessions}
          </dd>
          <dt>Connections / watches</dt>
          <dd>
            {m.connections} / {m.watches}
          </dd>
          <dt>State</dt>
          <dd>
            {m.quiescent ? "asleep (no ticks, no alarms)" : "awake"}
            {m.caughtUp === false ? ", catching up" : ""}
          </dd>
        </dl>
      ) : (
        <p class="error">{m.error ?? "did not answer"}</p>
      )}
    </li>
  );
}

/** A follower's last word from its leader; a leader's from each follower. */
function lastContact(m: MemberView, atMs: number): string {
  const heard = m.heardFromMs ?? {};
  const ago = (id: number | string) => {
    const at = heard[String(id)];
    return at === undefined ? "not since it woke" : `${duration(Math.max(0, atMs - at))} ago`;
  };
  if (m.role === "leader") {
    const peers = Object.keys(heard);
    return peers.length === 0
      ? "no follower since it woke"
      : peers.map((p) => `member ${p} ${ago(p)}`).join(", ");
  }
  if (m.leader === null || m.leader === undefined) return "no leader known";
  return `leader ${ago(m.leader)}`;
}

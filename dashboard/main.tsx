// The dashboard's page: asks for a token when the deployment wants one, then shows the ensemble,
// the tree, the sessions and live events — one view at a time, chosen by the URL's hash.

import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, call, ensemble, token } from "./api.ts";
import { EnsemblePanel } from "./ensemble-panel.tsx";
import { EnsemblePicker } from "./ensemble-picker.tsx";
import { EventsPanel } from "./events-panel.tsx";
import { SessionsPanel } from "./sessions-panel.tsx";
import { TokenPrompt } from "./token-prompt.tsx";
import { TreePanel } from "./tree-panel.tsx";
import type { Whoami } from "./types.ts";

type View = "ensemble" | "tree" | "sessions" | "events";
const views: Array<[View, string]> = [
  ["ensemble", "Ensemble"],
  ["tree", "Tree"],
  ["sessions", "Sessions"],
  ["events", "Live events"],
];

/** `#/tree/app/config` → the tree view at /app/config. */
function route(hash: string): { view: View; arg: string } {
  const m = /^#\/(ensemble|tree|sessions|events)(\/.*)?$/.exec(hash);
  if (!m) return { view: "ensemble", arg: "" };
  return { view: m[1] as View, arg: decodeURIComponent(m[2] ?? "") };
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return hash;
}

function App() {
  const [who, setWho] = useState<Whoami | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [needToken, setNeedToken] = useState(false);
  // A new ensemble picked: every view starts over against it.
  const [generation, setGeneration] = useState(0);
  const { view, arg } = route(useHash());

  const identify = useCallback(async () => {
    try {
      const me = (await call<Whoami>("/v1/whoami")).body;
      // A token limited to ensembles cannot reach the default one: start on its first.
      const picked = ensemble.get();
      if (me.ensembles && (picked === null || !me.ensembles.includes(picked)))
        ensemble.set(me.ensembles[0] ?? null);
      setWho(me);
      setNeedToken(false);
      setProblem(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        token.clear();
        setNeedToken(true);
      } else setProblem(`The service did not answer: ${String(e)}`);
    }
  }, []);
  useEffect(() => {
    void identify();
  }, [identify]);

  useEffect(() => {
    const label = views.find(([v]) => v === view)?.[1] ?? "Ensemble";
    document.title = `${label} · edgekeeper`;
  }, [view]);

  if (needToken) return <TokenPrompt onAccepted={identify} />;
  if (problem)
    return (
      <p class="problem" role="alert">
        {problem}
      </p>
    );
  if (!who) return <p class="loading">Connecting…</p>;
  return (
    <>
      <header class="top">
        <h1>
          edgekeeper <span class="muted">dashboard</span>
        </h1>
        <nav aria-label="Views">
          <ul>
            {views.map(([v, label]) => (
              <li key={v}>
                <a href={`#/${v}`} aria-current={v === view ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <EnsemblePicker who={who} onChange={() => setGeneration((g) => g + 1)} />
        <p class="who">
          {who.auth === "on" ? (
            <>
              Token <strong>{who.name}</strong> ({who.scope}){" "}
              <button
                type="button"
                class="link"
                onClick={() => {
                  token.clear();
                  setWho(null);
                  setNeedToken(true);
                }}
              >
                Sign out
              </button>
            </>
          ) : null}
        </p>
      </header>
      {who.auth === "off" ? (
        <p class="banner" role="status">
          Token auth is off on this deployment (AUTH=off): anyone who can reach it has the admin
          scope. Fine on this machine's loopback; never for a deployment.
        </p>
      ) : null}
      <main id="main" key={generation}>
        {view === "ensemble" ? <EnsemblePanel /> : null}
        {view === "tree" ? <TreePanel path={arg === "" ? "/" : arg} /> : null}
        {view === "sessions" ? <SessionsPanel /> : null}
        {view === "events" ? <EventsPanel initialPath={arg === "" ? "/" : arg} /> : null}
      </main>
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);

// The tree browser: a path bar, the node's children (paged, filterable by name prefix, with
// counts for huge nodes), and the node itself — its data, Stat and ACL, and what can be done to it.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call, znodeUrl } from "./api.ts";
import { Notice, Refusal } from "./messages.tsx";
import { NodeActions } from "./node-actions.tsx";
import { NodeDetail } from "./node-detail.tsx";
import { childPath, parentOf, treeHref } from "./paths.ts";
import type { AclEntry, Stat, ZnodeData } from "./types.ts";
import { usePageVisible } from "./visibility.ts";
import { watchLoop } from "./watch-loop.ts";

const pageSize = 100;

interface Loaded {
  readonly node: ZnodeData;
  readonly acl: AclEntry[];
  readonly zxid: number | null;
}

export function TreePanel(props: { path: string }) {
  const { path } = props;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    let live = true;
    setError(null);
    void (async () => {
      try {
        const [node, acl] = await Promise.all([
          call<ZnodeData>(znodeUrl(path)),
          call<{ acl: AclEntry[]; stat: Stat }>(znodeUrl(path, "acl")),
        ]);
        if (live) setLoaded({ node: node.body, acl: acl.body.acl, zxid: node.zxid });
      } catch (e) {
        if (!live) return;
        setLoaded(null);
        setError(e instanceof ApiError ? e : new ApiError(0, "CONNECTIONLOSS", -4, String(e)));
      }
    })();
    return () => {
      live = false;
    };
  }, [path, generation]);

  useEffect(() => setNotice(null), [path]);

  // Live: the node's own changes and its children's (a persistent watch) reload the view; a
  // hidden tab stops following and reloads once when it is shown again.
  const visible = usePageVisible();
  const missed = useRef(false);
  useEffect(() => {
    if (!visible) {
      missed.current = true;
      return;
    }
    if (missed.current) {
      missed.current = false;
      refresh();
    }
    const controller = new AbortController();
    void watchLoop(path, false, controller.signal, { onEvents: refresh });
    return () => controller.abort();
  }, [path, refresh, visible]);

  return (
    <section aria-labelledby="tree-title" class="tree">
      <h2 id="tree-title" class="sr-only">
        Tree
      </h2>
      <PathBar path={path} />
      <Notice text={notice} />
      {error ? (
        <p class="error" role="alert">
          {error.toString()}
          {error.zkName === "NONODE" && path !== "/" ? (
            <>
              {" "}
              — <a href={treeHref(parentOf(path))}>go to {parentOf(path)}</a>
            </>
          ) : null}
        </p>
      ) : null}
      {loaded && loaded.node.path === path ? (
        <div class="tree-grid">
          <ChildList path={path} stat={loaded.node.stat} generation={generation} />
          <div class="node">
            <NodeDetail node={loaded.node} acl={loaded.acl} zxid={loaded.zxid} />
            <NodeActions
              node={loaded.node}
              onChanged={(message, goTo) => {
                setNotice(message);
                if (goTo !== undefined && goTo !== path) location.hash = treeHref(goTo);
                else refresh();
              }}
            />
          </div>
        </div>
      ) : null}
    </section>
  );
}

function PathBar(props: { path: string }) {
  const [typed, setTyped] = useState(props.path);
  useEffect(() => setTyped(props.path), [props.path]);
  const segments = props.path === "/" ? [] : props.path.slice(1).split("/");
  return (
    <div class="pathbar">
      <nav aria-label="Path">
        <ol class="crumbs">
          <li>
            <a href={treeHref("/")}>/</a>
          </li>
          {segments.map((s, i) => {
            const p = `/${segments.slice(0, i + 1).join("/")}`;
            return (
              <li key={p}>
                <a href={treeHref(p)} aria-current={p === props.path ? "page" : undefined}>
                  {s}
                </a>
              </li>
            );
          })}
        </ol>
      </nav>
      <form
        class="goto"
        onSubmit={(e) => {
          e.preventDefault();
          const p = typed.trim() === "" ? "/" : typed.trim();
          location.hash = treeHref(p.startsWith("/") ? p : `/${p}`);
        }}
      >
        <label for="goto-path">Go to path</label>
        <input
          id="goto-path"
          value={typed}
          spellcheck={false}
          onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Go</button>
      </form>
    </div>
  );
}

/** The largest `after` below every name that starts with `prefix` (so paging starts there). */
function afterFor(prefix: string): string | undefined {
  if (prefix === "") return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  const below = `${prefix.slice(0, -1)}${String.fromCharCode(last - 1)}\uffff\uffff\uffff\uffff`;
  try {
    encodeURIComponent(below);
    return below;
  } catch {
    // A lone surrogate cannot be sent: start at the prefix less its last character instead.
    return prefix.length > 1 ? prefix.slice(0, -1) : undefined;
  }
}

function ChildList(props: { path: string; stat: Stat; generation: number }) {
  const [names, setNames] = useState<string[]>([]);
  const [more, setMore] = useState(false);
  const [prefix, setPrefix] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [descendants, setDescendants] = useState<number | null>(null);
  const [cursor, setCursor] = useState<string | undefined>(undefined);

  /** The next page after `after`; with a prefix, pages on until it has matches or passes them. */
  const load = useCallback(
    async (after: string | undefined, replace: boolean) => {
      setBusy(true);
      setError(null);
      try {
        const found: string[] = [];
        let cursor = after;
        let hasMore = true;
        while (hasMore && found.length < pageSize) {
          const q = `children&limit=${pageSize}${cursor === undefined ? "" : `&after=${encodeURIComponent(cursor)}`}`;
          const page = await call<{ children: string[]; more: boolean }>(znodeUrl(props.path, q));
          hasMore = page.body.more;
          cursor = page.body.children.at(-1) ?? cursor;
          if (prefix === "") {
            found.push(...page.body.children);
            break;
          }
          found.push(...page.body.children.filter((n) => n.startsWith(prefix)));
          // Names come in order: one past the prefix's range ends the search.
          if (page.body.children.some((n) => !n.startsWith(prefix) && n > prefix)) {
            hasMore = false;
          }
        }
        setNames((old) => (replace ? found : [...old, ...found]));
        setMore(hasMore);
        setCursor(cursor);
      } catch (e) {
        setError(String(e));
      } finally {
        setBusy(false);
      }
    },
    [props.path, prefix],
  );
  useEffect(() => {
    setDescendants(null);
    void load(afterFor(prefix), true);
  }, [load, props.generation]);

  return (
    <nav class="children" aria-label={`Children of ${props.path}`}>
      <h3>
        Children <span class="muted">({props.stat.numChildren.toLocaleString()})</span>
      </h3>
      <p class="muted">
        {descendants === null ? (
          <button
            type="button"
            class="link"
            onClick={async () => {
              try {
                setDescendants(
                  (await call<{ count: number }>(znodeUrl(props.path, "count"))).body.count,
                );
              } catch (e) {
                setError(String(e));
              }
            }}
          >
            Count all descendants
          </button>
        ) : (
          `${descendants.toLocaleString()} descendants`
        )}
      </p>
      <label for="child-prefix">Filter by name prefix</label>
      <input
        id="child-prefix"
        type="search"
        spellcheck={false}
        value={prefix}
        onInput={(e) => setPrefix((e.target as HTMLInputElement).value)}
      />
      <Refusal text={error} />
      <ul class="names" aria-busy={busy}>
        {names.map((n) => (
          <li key={n}>
            <a class="child-link" href={treeHref(childPath(props.path, n))}>
              {n}
            </a>
          </li>
        ))}
      </ul>
      {names.length === 0 && !busy ? (
        <p class="muted">{prefix === "" ? "No children" : "No match"}</p>
      ) : null}
      {more ? (
        <button type="button" disabled={busy} onClick={() => void load(cursor, false)}>
          Load more
        </button>
      ) : null}
    </nav>
  );
}

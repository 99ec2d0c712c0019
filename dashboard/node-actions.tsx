// What the tree browser can do to a znode, each through the HTTP API with ZooKeeper's checks:
// set its data at an expected version, create a child, delete it at a version after a
// confirmation. A refusal (BADVERSION, NODEEXISTS, NOTEMPTY, NOAUTH…) is shown as it came.

import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call, znodeUrl } from "./api.ts";
import { Refusal } from "./messages.tsx";
import { childPath, parentOf } from "./paths.ts";
import type { ZnodeData } from "./types.ts";

const modes = [
  ["persistent", "persistent"],
  ["persistent_sequential", "persistent, sequential"],
  ["container", "container"],
  ["persistent_ttl", "persistent with TTL"],
  ["persistent_sequential_ttl", "persistent, sequential, with TTL"],
] as const;

function refusal(e: unknown): string {
  return e instanceof ApiError ? e.toString() : `The service did not answer: ${String(e)}`;
}

export function NodeActions(props: {
  node: ZnodeData;
  /** After a change: what to say, and where to go (default: stay and reload). */
  onChanged: (message: string, goTo?: string) => void;
}) {
  return (
    <div class="actions">
      <SetData node={props.node} onChanged={props.onChanged} />
      <CreateChild node={props.node} onChanged={props.onChanged} />
      {props.node.path === "/" || props.node.path.startsWith("/zookeeper") ? null : (
        <DeleteNode node={props.node} onChanged={props.onChanged} />
      )}
    </div>
  );
}

function SetData(props: { node: ZnodeData; onChanged: (m: string) => void }) {
  const { node } = props;
  const [data, setData] = useState(node.encoding === "utf8" ? node.data : "");
  const [version, setVersion] = useState(String(node.stat.version));
  const [anyVersion, setAnyVersion] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A new node resets the form; the same node changing underneath keeps what is being typed, and
  // the expected version it was based on (a save then answers BADVERSION, as it should).
  useEffect(() => {
    setData(node.encoding === "utf8" ? node.data : "");
    setVersion(String(node.stat.version));
    setError(null);
  }, [node.path]);
  const stale = !anyVersion && version !== "" && Number(version) !== node.stat.version;
  return (
    <form
      class="card"
      aria-labelledby="set-title"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          const v = anyVersion ? -1 : Number(version);
          const answer = await call<{ zxid: number; stat: { version: number } }>(
            znodeUrl(node.path),
            {
              method: "PUT",
              json: { data, encoding: "utf8", version: v },
            },
          );
          setVersion(String(answer.body.stat.version));
          props.onChanged(
            `Saved ${node.path}: now at version ${answer.body.stat.version} (zxid ${answer.body.zxid})`,
          );
        } catch (err) {
          setError(refusal(err));
        }
      }}
    >
      <h4 id="set-title">Set data</h4>
      {node.encoding === "base64" ? (
        <p class="muted">The node holds binary data; saving replaces it with this UTF-8 text.</p>
      ) : null}
      <label for="set-data">Data</label>
      <textarea
        id="set-data"
        rows={5}
        value={data}
        onInput={(e) => setData((e.target as HTMLTextAreaElement).value)}
      />
      <div class="row">
        <label for="set-version">Expected version</label>
        <input
          id="set-version"
          type="number"
          min={0}
          required={!anyVersion}
          disabled={anyVersion}
          value={version}
          onInput={(e) => setVersion((e.target as HTMLInputElement).value)}
        />
        <label class="check">
          <input
            type="checkbox"
            checked={anyVersion}
            onChange={(e) => setAnyVersion((e.target as HTMLInputElement).checked)}
          />
          any version
        </label>
      </div>
      {stale ? (
        <p class="warn">
          The node is at version {node.stat.version} now.{" "}
          <button
            type="button"
            class="link"
            onClick={() => {
              setData(node.encoding === "utf8" ? node.data : "");
              setVersion(String(node.stat.version));
              setError(null);
            }}
          >
            Load its current data
          </button>
        </p>
      ) : null}
      <button type="submit">Save</button>
      <Refusal text={error} testId="set-error" />
    </form>
  );
}

function CreateChild(props: { node: ZnodeData; onChanged: (m: string, goTo?: string) => void }) {
  const [name, setName] = useState("");
  const [data, setData] = useState("");
  const [mode, setMode] = useState<string>("persistent");
  const [ttl, setTtl] = useState("60000");
  const [error, setError] = useState<string | null>(null);
  const withTtl = mode.endsWith("_ttl");
  return (
    <form
      class="card"
      aria-labelledby="create-title"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          const answer = await call<{ zxid: number; path: string }>(
            znodeUrl(childPath(props.node.path, name.trim())),
            {
              method: "POST",
              json: { data, encoding: "utf8", mode, ...(withTtl ? { ttlMs: Number(ttl) } : {}) },
            },
          );
          setName("");
          setData("");
          props.onChanged(`Created ${answer.body.path} (zxid ${answer.body.zxid})`);
        } catch (err) {
          setError(refusal(err));
        }
      }}
    >
      <h4 id="create-title">Create a child</h4>
      <label for="create-name">Name</label>
      <input
        id="create-name"
        required
        spellcheck={false}
        value={name}
        onInput={(e) => setName((e.target as HTMLInputElement).value)}
      />
      <label for="create-data">Data</label>
      <textarea
        id="create-data"
        rows={3}
        value={data}
        onInput={(e) => setData((e.target as HTMLTextAreaElement).value)}
      />
      <label for="create-mode">Mode</label>
      <select
        id="create-mode"
        value={mode}
        onChange={(e) => setMode((e.target as HTMLSelectElement).value)}
      >
        {modes.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      {withTtl ? (
        <>
          <label for="create-ttl">TTL (ms)</label>
          <input
            id="create-ttl"
            type="number"
            min={1}
            required
            value={ttl}
            onInput={(e) => setTtl((e.target as HTMLInputElement).value)}
          />
        </>
      ) : null}
      <p class="muted">Ephemeral nodes need a session, which the dashboard does not hold.</p>
      <button type="submit">Create</button>
      <Refusal text={error} testId="create-error" />
    </form>
  );
}

function DeleteNode(props: { node: ZnodeData; onChanged: (m: string, goTo?: string) => void }) {
  const { node } = props;
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    setConfirming(false);
    setError(null);
  }, [node.path]);
  // The button pressed goes away: keyboard focus moves to the safe answer, and back after (not
  // when the view first shows: that would take the focus from wherever the user is).
  const asked = useRef(false);
  useEffect(() => {
    if (confirming) asked.current = true;
    if (asked.current) (confirming ? cancel : ask).current?.focus();
  }, [confirming]);
  const version = node.stat.version;
  return (
    <section class="card danger" aria-labelledby="delete-title">
      <h4 id="delete-title">Delete</h4>
      {confirming ? (
        <div role="alertdialog" aria-labelledby="delete-question">
          <p id="delete-question">
            Delete <code>{node.path}</code> at version {version}? This cannot be undone.
          </p>
          <button
            type="button"
            class="danger"
            onClick={async () => {
              setError(null);
              try {
                const answer = await call<{ zxid: number }>(
                  znodeUrl(node.path, `version=${version}`),
                  {
                    method: "DELETE",
                  },
                );
                props.onChanged(
                  `Deleted ${node.path} (zxid ${answer.body.zxid})`,
                  parentOf(node.path),
                );
              } catch (err) {
                setConfirming(false);
                setError(refusal(err));
              }
            }}
          >
            Yes, delete it
          </button>{" "}
          <button type="button" ref={cancel} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" ref={ask} class="danger" onClick={() => setConfirming(true)}>
          Delete {node.path}…
        </button>
      )}
      <Refusal text={error} testId="delete-error" />
    </section>
  );
}

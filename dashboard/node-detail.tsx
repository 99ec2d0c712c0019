// One znode as the tree browser shows it: its data as text, JSON or hex, its Stat (an ephemeral
// node's owning session linked to the session list) and its ACL.

import { useState } from "preact/hooks";
import { hexId, time } from "./format.ts";
import type { AclEntry, ZnodeData } from "./types.ts";

type DataView = "text" | "json" | "hex";

export function dataBytes(node: ZnodeData): Uint8Array {
  if (node.encoding === "utf8") return new TextEncoder().encode(node.data);
  return Uint8Array.from(atob(node.data), (c) => c.charCodeAt(0));
}

export function hexDump(data: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < data.length; at += 16) {
    const row = data.subarray(at, at + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = [...row]
      .map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "."))
      .join("");
    lines.push(`${at.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join("\n");
}

function jsonOf(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

const permLetters = (perms: number | string) =>
  typeof perms === "string"
    ? perms
    : ["r", "w", "c", "d", "a"].map((l, i) => (perms & (1 << i) ? l : "-")).join("");

export function NodeDetail(props: { node: ZnodeData; acl: AclEntry[]; zxid: number | null }) {
  const { node } = props;
  const [view, setView] = useState<DataView>("text");
  const bytes = dataBytes(node);
  const text = node.encoding === "utf8" ? node.data : null;
  const json = text === null ? null : jsonOf(text);
  const s = node.stat;
  const owner = s.ephemeralOwner !== "0" ? s.ephemeralOwner : null;
  return (
    <article aria-labelledby="node-title">
      <h3 id="node-title">
        <code>{node.path}</code>
        {owner ? <span class="tag">ephemeral</span> : null}
      </h3>
      {owner ? (
        <p class="owner">
          Owned by session{" "}
          <a href="#/sessions" data-testid="owner">
            {hexId(owner)}
          </a>{" "}
          — it goes when that session ends.
        </p>
      ) : null}
      <div class="tabs" role="radiogroup" aria-label="Show data as">
        {(["text", "json", "hex"] as const).map((v) => (
          <label key={v}>
            <input
              type="radio"
              name="data-view"
              value={v}
              checked={view === v}
              onChange={() => setView(v)}
            />
            {v === "text" ? "Text" : v === "json" ? "JSON" : "Hex"}
          </label>
        ))}
      </div>
      <pre class="data" data-testid="data">
        {view === "hex"
          ? hexDump(bytes) || "(empty)"
          : view === "json"
            ? (json ?? (text === null ? "(binary data: see Hex)" : "(not JSON)"))
            : (text ?? "(binary data: see Hex)") || "(empty)"}
      </pre>
      <p class="muted">
        {bytes.length.toLocaleString()} bytes
        {props.zxid === null ? "" : ` · read at zxid ${props.zxid}`}
      </p>
      <h4>Stat</h4>
      <dl class="stat" data-testid="stat">
        <dt>version</dt>
        <dd data-testid="version">{s.version}</dd>
        <dt>czxid / mzxid / pzxid</dt>
        <dd>
          {s.czxid} / {s.mzxid} / {s.pzxid}
        </dd>
        <dt>created</dt>
        <dd>{time(s.ctime)}</dd>
        <dt>modified</dt>
        <dd>{time(s.mtime)}</dd>
        <dt>cversion / aversion</dt>
        <dd>
          {s.cversion} / {s.aversion}
        </dd>
        <dt>dataLength / numChildren</dt>
        <dd>
          {s.dataLength} / {s.numChildren}
        </dd>
        <dt>ephemeralOwner</dt>
        <dd>{owner ? hexId(owner) : "0 (persistent)"}</dd>
      </dl>
      <h4>ACL</h4>
      <table class="acl">
        <thead>
          <tr>
            <th scope="col">scheme</th>
            <th scope="col">id</th>
            <th scope="col">perms</th>
          </tr>
        </thead>
        <tbody>
          {props.acl.map((a) => (
            <tr key={`${a.scheme}:${a.id}`}>
              <td>{a.scheme}</td>
              <td>
                <code>{a.id}</code>
              </td>
              <td>
                <code>{permLetters(a.perms)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

// The interactive API reference at /v1/docs: one self-contained page (no outside scripts or
// styles, nothing fetched from a CDN) that reads /v1/openapi.json and lets a reader try every
// operation with their token. Small on purpose: every member shares this Worker's script, and a
// third-party UI bundle of a megabyte or more would be loaded by every cold start.

import { version } from "../version.ts";

const script = String.raw`
const $ = (tag, props = {}, ...children) => {
  const el = Object.assign(document.createElement(tag), props);
  for (const c of children) el.append(c);
  return el;
};
const tokenInput = document.getElementById("token");
tokenInput.value = sessionStorage.getItem("edgekeeper-token") ?? "";
tokenInput.addEventListener("change", () => sessionStorage.setItem("edgekeeper-token", tokenInput.value));

const doc = await (await fetch("openapi.json")).json();
const resolve = (schema) =>
  schema && schema.$ref ? doc.components.schemas[schema.$ref.split("/").pop()] : schema;

/** A starting body from a JSON schema: its properties' first choices. */
function example(schema, depth = 0) {
  schema = resolve(schema);
  if (!schema || depth > 3) return null;
  if (schema.anyOf) return example(schema.anyOf[0], depth + 1);
  if (schema.oneOf) return example(schema.oneOf[0], depth + 1);
  if (schema.enum) return schema.enum[0];
  if (schema.type === "object") {
    const out = {};
    for (const [k, v] of Object.entries(schema.properties ?? {}))
      if ((schema.required ?? []).includes(k) || depth === 0) out[k] = example(v, depth + 1);
    return out;
  }
  if (schema.type === "array") return [];
  if (schema.type === "integer" || schema.type === "number") return 0;
  if (schema.type === "boolean") return false;
  return "";
}

function operation(path, method, op) {
  const inputs = {};
  const params = $("div", { className: "params" });
  for (const p of op.parameters ?? []) {
    const input = $("input", { placeholder: p.description ?? "", value: p.in === "path" && p.name === "path" ? "app" : "" });
    inputs[p.in + ":" + p.name] = input;
    params.append($("label", {}, $("code", { textContent: p.name }), " (" + p.in + (p.required ? ", required" : "") + ") ", input));
  }
  const jsonBody = op.requestBody?.content?.["application/json"]?.schema;
  const body = jsonBody ? $("textarea", { rows: 6, value: JSON.stringify(example(jsonBody), null, 2) }) : null;
  const result = $("pre", { className: "result" });
  const send = $("button", { textContent: "Send" });
  send.addEventListener("click", async () => {
    let url = path;
    const query = new URLSearchParams();
    const headers = {};
    for (const [key, input] of Object.entries(inputs)) {
      const [where, name] = key.split(":");
      if (input.value === "") continue;
      if (where === "path")
        url = url.replace("{" + name + "}", name === "path" ? input.value.split("/").map(encodeURIComponent).join("/") : encodeURIComponent(input.value));
      else if (where === "query") query.set(name, input.value);
      else if (where === "header") headers[name] = input.value;
    }
    if (tokenInput.value) headers.authorization = "Bearer " + tokenInput.value;
    if (body) headers["content-type"] = "application/json";
    result.textContent = "…";
    try {
      const res = await fetch(url + (query.size ? "?" + query : ""), { method: method.toUpperCase(), headers, body: body ? body.value : undefined });
      const type = res.headers.get("content-type") ?? "";
      const text = type.includes("json") ? JSON.stringify(await res.json(), null, 2) : type.startsWith("text") ? await res.text() : "(" + (await res.arrayBuffer()).byteLength + " bytes)";
      result.textContent = res.status + " " + res.statusText + (res.headers.get("x-zxid") ? "   X-Zxid: " + res.headers.get("x-zxid") : "") + "\n" + text;
    } catch (e) {
      result.textContent = String(e);
    }
  });
  const responses = $("details", {}, $("summary", { textContent: "responses" }));
  for (const [status, r] of Object.entries(op.responses ?? {})) {
    const schema = Object.values(r.content ?? {})[0]?.schema;
    responses.append($("div", {}, $("b", { textContent: status + " " }), r.description ?? ""), schema ? $("pre", { textContent: JSON.stringify(resolve(schema), null, 2) }) : "");
  }
  const request = jsonBody ? $("details", {}, $("summary", { textContent: "request body schema" }), $("pre", { textContent: JSON.stringify(resolve(jsonBody), null, 2) })) : "";
  return $("details", { className: "op" },
    $("summary", {}, $("span", { className: "method " + method, textContent: method.toUpperCase() }), " ", $("code", { textContent: path }), " ", op.summary ?? ""),
    params, request, body ?? "", send, result, responses);
}

const list = document.getElementById("operations");
for (const [path, methods] of Object.entries(doc.paths))
  for (const [method, op] of Object.entries(methods)) list.append(operation(path, method, op));
document.getElementById("title").textContent = doc.info.title + " API " + doc.info.version;
`;

export function referencePage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>edgekeeper API ${version}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}
code,pre,textarea,input{font:13px ui-monospace,monospace}
.op{border-top:1px solid #ddd;padding:.4em 0}.op>summary{cursor:pointer}
.method{display:inline-block;min-width:4.5em;font-weight:bold}.get{color:#1a7f37}.post{color:#0550ae}.put{color:#9a6700}.delete{color:#cf222e}
.params label{display:block;margin:.3em 0}.params input{width:30em}
textarea{width:100%;box-sizing:border-box}pre{background:#f6f8fa;padding:.5em;max-height:24em;overflow:auto}
</style></head><body>
<h1 id="title">edgekeeper API ${version}</h1>
<p>Every route needs <code>Authorization: Bearer &lt;token&gt;</code> (local development runs without).
Errors are ZooKeeper's: <code>{"error":{"code","name","path","message"}}</code>.
Machine-readable: <a href="openapi.json">openapi.json</a>.</p>
<p><label>Token <input id="token" type="password" autocomplete="off" size="40"></label></p>
<div id="operations"></div>
<script type="module">${script}</script>
</body></html>`;
}

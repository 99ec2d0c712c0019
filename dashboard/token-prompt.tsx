// Asks for a bearer token, checks it with /v1/whoami before keeping it (in this tab's session
// storage only), and says why a refused one was refused.

import { useState } from "preact/hooks";
import { ApiError, call, token } from "./api.ts";
import { Refusal } from "./messages.tsx";
import type { Whoami } from "./types.ts";

export function TokenPrompt(props: { onAccepted: () => void }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call<Whoami>("/v1/whoami", { bearer: value.trim() });
      token.set(value.trim());
      props.onAccepted();
    } catch (err) {
      setError(err instanceof ApiError ? err.toString() : `The service did not answer: ${err}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="prompt">
      <h1>edgekeeper</h1>
      <form onSubmit={submit}>
        <label for="token">Access token</label>
        <p id="token-help" class="muted">
          One of the deployment's <code>AUTH_TOKENS</code>. Kept in this tab only and sent as a
          bearer header.
        </p>
        <input
          id="token"
          type="password"
          autocomplete="off"
          required
          aria-describedby="token-help"
          aria-invalid={error !== null}
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <Refusal text={error} />
      </form>
    </main>
  );
}

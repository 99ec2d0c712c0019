// Which ensemble the dashboard shows: the deployment's default one, or another created through
// /v1/ensembles. An admin token lists them all; a token limited to ensembles offers its own.

import { useEffect, useState } from "preact/hooks";
import { call, ensemble } from "./api.ts";
import type { Whoami } from "./types.ts";

export function EnsemblePicker(props: { who: Whoami; onChange: () => void }) {
  const [names, setNames] = useState<string[] | null>(null);
  const limited = props.who.ensembles;

  useEffect(() => {
    if (limited) {
      setNames([...limited]);
      return;
    }
    void call<{ ensembles: Array<{ name: string }> }>("/v1/ensembles")
      .then((answer) => setNames(answer.body.ensembles.map((e) => e.name)))
      // Without the admin scope the list is not ours to see: the default one is what we have.
      .catch(() => setNames(null));
  }, [limited]);

  if (names === null || (names.length < 2 && !limited)) return null;
  const current = ensemble.get() ?? names[0] ?? "";
  return (
    <p class="picker">
      <label for="ensemble-pick">Ensemble</label>
      <select
        id="ensemble-pick"
        value={current}
        onChange={(e) => {
          const picked = (e.target as HTMLSelectElement).value;
          // The first listed is the default one (served at /v1 itself) unless the token is limited.
          ensemble.set(picked === names[0] && !limited ? null : picked);
          props.onChange();
        }}
      >
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </p>
  );
}

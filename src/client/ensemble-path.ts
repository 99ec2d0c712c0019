// Where a client's calls go for a named ensemble: the service serves ensemble <name> under
// /v1/e/<name>/ exactly as it serves its default one under /v1/ (docs/api.md). The one home of
// that rule for the SDK, the CLI and the bridge.

/** `/v1/…` for the default ensemble, `/v1/e/<name>/…` for another. */
export function ensemblePath(path: string, ensemble: string | undefined): string {
  if (ensemble === undefined || ensemble === "" || !path.startsWith("/v1/")) return path;
  return `/v1/e/${encodeURIComponent(ensemble)}/${path.slice("/v1/".length)}`;
}

// What a benchmark workload needs from a system under test: sessions that run the operations,
// and the server processes whose memory is reported. One implementation per system.

export interface BenchSession {
  create(path: string, value: string): Promise<void>;
  setData(path: string, value: string): Promise<void>;
  getData(path: string): Promise<void>;
  /** One transaction that creates every path. */
  createAll(paths: readonly string[], value: string): Promise<void>;
  /**
   * Arms a one-shot data watch on an existing node. Resolves once armed, with a promise of the
   * moment (performance.now()) the event arrived (wrapped: a bare promise would be awaited).
   */
  watchData(path: string): Promise<{ readonly fired: Promise<number> }>;
  close(): Promise<void>;
}

export interface BenchTarget {
  readonly name: string;
  /** Opens session `index`; sessions are spread over the members/servers in turn. */
  connect(index: number): Promise<BenchSession>;
  /** The server processes to measure (their peak resident memory). */
  serverPids(): number[];
  stop(): Promise<void>;
}

/** A watch event's arrival time: `mark` is the watcher, `fired` resolves when it runs. */
export function arrival(): { readonly fired: Promise<number>; readonly mark: () => void } {
  let mark = () => {};
  const fired = new Promise<number>((resolve) => {
    mark = () => resolve(performance.now());
  });
  return { fired, mark };
}

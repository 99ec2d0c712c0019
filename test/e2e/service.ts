// The end-to-end tests start the real service the way `npm start` does; the launcher is shared
// with the benchmark.

export {
  freePort,
  type RunningService,
  startService,
  startServing,
} from "../../src/bench/local-service.ts";

// The benchmark's edgekeeper side: the SDK's WebSocket sessions against a local ensemble started
// as `npm start` does (or an already running service given by URL).

import { EdgeKeeperClient } from "../client/index.ts";
import { arrival, type BenchSession, type BenchTarget } from "./bench-target.ts";
import { startService } from "./local-service.ts";
import { plainSocket } from "./plain-socket.ts";
import { groupPids } from "./process-memory.ts";

export async function edgekeeperTarget(options: {
  members: number;
  url?: string | undefined;
  token?: string | undefined;
}): Promise<BenchTarget & { readonly url: string }> {
  const service =
    options.url === undefined ? await startService({ members: options.members }) : null;
  const url = options.url ?? service?.url ?? "";
  return {
    name: "edgekeeper",
    url,
    async connect(index) {
      const client = await EdgeKeeperClient.connect({
        url,
        members: options.members,
        member: index % options.members,
        sessionTimeoutMs: 30_000,
        openSocket: async (socketUrl) => plainSocket(socketUrl),
        requestTimeoutMs: 60_000,
        ...(options.token === undefined ? {} : { token: options.token }),
      });
      return sessionOf(client);
    },
    serverPids: () => (service ? groupPids(service.pid, "workerd") : []),
    stop: async () => {
      await service?.stop();
    },
  };
}

function sessionOf(client: EdgeKeeperClient): BenchSession {
  return {
    create: async (path, value) => {
      await client.create(path, value);
    },
    setData: async (path, value) => {
      await client.setData(path, value);
    },
    getData: async (path) => {
      await client.getData(path);
    },
    createAll: async (paths, value) => {
      await client.multi(
        paths.map((path) => ({ op: "create", path, data: value, encoding: "utf8" })),
      );
    },
    watchData: async (path) => {
      const event = arrival();
      await client.getData(path, { watch: event.mark });
      return { fired: event.fired };
    },
    close: () => client.close(),
  };
}

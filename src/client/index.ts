// edgekeeper/client: the SDK's public surface.

export {
  EdgeKeeperBindingClient,
  type EdgeKeeperRpc,
  type ErrorValue,
  type RpcResult,
} from "./binding-client.ts";
export {
  type ClientOptions,
  type ConnectionState,
  type CreateMode,
  EdgeKeeperClient,
  type Stat,
  type WatchEvent,
} from "./client.ts";
export { EdgeKeeperHttpClient, type HttpClientOptions } from "./http-client.ts";
export { KeeperError } from "./keeper-error.ts";
export { type BackoffOptions, exponentialBackoff, type RetryPolicy } from "./retry-policy.ts";

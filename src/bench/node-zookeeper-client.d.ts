// Types for the parts of node-zookeeper-client (an unmodified ZooKeeper client) the tests use.

declare module "node-zookeeper-client" {
  type Callback<T = unknown> = (error: Error | null, result?: T) => void;
  interface Transaction {
    create(path: string, data: Buffer, acl: unknown, mode: number): Transaction;
    check(path: string, version: number): Transaction;
    setData(path: string, data: Buffer, version: number): Transaction;
    remove(path: string, version: number): Transaction;
    commit(cb: Callback<unknown[]>): void;
  }
  interface Client {
    connect(): void;
    close(): void;
    once(event: "connected" | "disconnected" | "expired", listener: () => void): void;
    create(path: string, data: Buffer, acl: unknown, mode: number, cb: Callback<string>): void;
    getData(path: string, cb: Callback<Buffer>): void;
    getData(
      path: string,
      watcher: (event: { type: number; path: string }) => void,
      cb: Callback<Buffer>,
    ): void;
    setData(path: string, data: Buffer, version: number, cb: Callback): void;
    getChildren(path: string, cb: Callback<string[]>): void;
    exists(
      path: string,
      watcher: (event: { type: number; path: string }) => void,
      cb: Callback,
    ): void;
    remove(path: string, version: number, cb: Callback): void;
    transaction(): Transaction;
  }
  const zookeeper: {
    createClient(
      connectionString: string,
      options?: { sessionTimeout?: number; retries?: number },
    ): Client;
    ACL: { OPEN_ACL_UNSAFE: unknown };
    CreateMode: {
      PERSISTENT: number;
      PERSISTENT_SEQUENTIAL: number;
      EPHEMERAL: number;
      EPHEMERAL_SEQUENTIAL: number;
    };
  };
  export default zookeeper;
}

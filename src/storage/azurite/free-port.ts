import { connect, createServer } from "node:net";

/**
 * Asks the OS for a free TCP port on `host` (listen on port 0, read it, close). Another process could
 * take it before it is used; the caller's own bind then fails with a clear error.
 */
export async function findFreePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error(`could not read the port of a test listener on ${host}`);
  return address.port;
}

/** Resolves if `port` on `host` can be bound now; rejects with the bind error (e.g. EADDRINUSE) otherwise. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Resolves true if something accepts TCP connections on `host:port` within `timeoutMs`. */
export async function acceptsConnections(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

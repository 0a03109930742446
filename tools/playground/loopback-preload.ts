/*
 * Preloaded (`node -r`) into Microsoft's Agents Playground, which the demo and the browser tests start
 * as a child process. Three guards, because the Playground is someone else's code:
 *
 * 1. Loopback only, listening: it calls `listen(port)` without a host, which binds every interface.
 *    A host-less `listen` is given 127.0.0.1.
 * 2. Loopback only, connecting: outgoing TCP connections to anything but loopback are refused at once
 *    (it knows telemetry and sign-in endpoints; the demo must never reach them, nor wait on them).
 * 3. No orphan: the parent spawns it with an IPC channel; when that closes (the parent exited, crashed or
 *    was killed), this process exits too.
 */
import net from "node:net";

const LOOPBACK_HOST = "127.0.0.1";
const isLoopback = (host: string) => /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i.test(host);

type ListenArgs = unknown[];

/** Adds 127.0.0.1 to the host-less forms of `listen`: (), (port[, backlog][, cb]), ({port}) and (cb). */
function withLoopbackHost(args: ListenArgs): ListenArgs {
  const [first] = args;
  const isPort = typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first));
  if (isPort) return typeof args[1] === "string" ? args : [first, LOOPBACK_HOST, ...args.slice(1)];
  if (first === undefined || typeof first === "function") return [0, LOOPBACK_HOST, ...args];
  if (first && typeof first === "object" && !(first instanceof net.Server)) {
    const options = first as Record<string, unknown>;
    // A pipe path, a handle or an fd has no host to restrict.
    if (options.path === undefined && options.fd === undefined && options._handle === undefined && options.host === undefined)
      return [{ ...options, host: LOOPBACK_HOST }, ...args.slice(1)];
  }
  return args;
}

const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listen(this: net.Server, ...args: ListenArgs) {
  return (originalListen as (...a: ListenArgs) => net.Server).apply(this, withLoopbackHost(args));
} as typeof net.Server.prototype.listen;

/** The host a `Socket#connect` call names, or undefined for a pipe path (local by nature). */
function connectHost(args: unknown[]): string | undefined {
  const [first, second] = args;
  const options = Array.isArray(first) ? (first[0] as unknown) : first; // internal calls pass [options, cb]
  if (options && typeof options === "object") {
    const o = options as Record<string, unknown>;
    if (typeof o.path === "string") return undefined;
    return typeof o.host === "string" ? o.host : "localhost";
  }
  if (typeof options === "number" || (typeof options === "string" && /^\d+$/.test(options))) return typeof second === "string" ? second : "localhost";
  return undefined;
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
  const host = connectHost(args);
  if (host !== undefined && !isLoopback(host)) {
    const error = Object.assign(new Error(`connect ECONNREFUSED ${host} (the demo keeps the Playground on loopback)`), { code: "ECONNREFUSED" });
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

if (process.channel) {
  process.on("disconnect", () => process.exit(0));
  // The channel alone must not keep the Playground alive, nor keep it from exiting on its own.
  process.channel.unref();
}

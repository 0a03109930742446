import { request } from "node:http";

/**
 * POSTs a JSON body that never ends (a chunk every 100 ms) to `address`, as a caller holding a
 * connection open would, and resolves with the answer's status and `Connection` header as soon as one
 * comes; rejects when none comes within 5 s. The request is torn down either way.
 */
export function postEndlessBody(address: string): Promise<{ status: number; connection: string | undefined }> {
  const url = new URL(address);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      },
      (res) => {
        res.resume();
        clearInterval(drip);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
      },
    );
    req.on("error", (err) => {
      if (!req.destroyed) reject(err);
    });
    req.write('{"type":"message","text":"');
    const drip = setInterval(() => req.write("aaaaaaaaaa"), 100);
    setTimeout(() => {
      clearInterval(drip);
      req.destroy();
      reject(new Error("no answer within 5 s"));
    }, 5_000);
  });
}

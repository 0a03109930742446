import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { readBody } from "../standin-http";

/**
 * A stand-in for Application Insights' ingestion endpoint ("Breeze"), as @azure/monitor-opentelemetry-
 * exporter 1.0.0-beta.47 uses it: `POST {IngestionEndpoint}/v2.1/track` with a JSON array of envelopes
 * (gzip-compressed, with `Content-Encoding: gzip`, when the host is one of Azure's), answered with
 * `{ itemsReceived, itemsAccepted, errors }`. The exporter turns an `http://` IngestionEndpoint into
 * `https://`, so this serves TLS with the test certificate in ./tls (for 127.0.0.1 only; a process trusts
 * it through NODE_EXTRA_CA_CERTS=`CERTIFICATE_PATH`). Binds 127.0.0.1; closes itself after `lifetimeMs`.
 */

/** The test certificate a client must trust (its key is in the same folder; neither is used anywhere else). */
export const CERTIFICATE_PATH = join(__dirname, "..", "..", "..", "tools", "app-insights-standin", "tls", "cert.pem");
const KEY_PATH = join(__dirname, "..", "..", "..", "tools", "app-insights-standin", "tls", "key.pem");

/** One telemetry item as the exporter sends it (only the fields tests read are typed). */
export interface Envelope {
  readonly name: string;
  readonly iKey?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly data?: {
    readonly baseType?: string;
    readonly baseData?: {
      readonly name?: string;
      /** A log record's body (`MessageData`: Application Insights' `traces`). */
      readonly message?: string;
      readonly severityLevel?: string;
      readonly url?: string;
      readonly data?: string;
      readonly resultCode?: string;
      readonly success?: boolean;
      readonly metrics?: ReadonlyArray<{ readonly name: string; readonly value: number; readonly count?: number }>;
      readonly properties?: Readonly<Record<string, string>>;
    };
  };
}

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly gzipped: boolean;
  /** The body as sent, decompressed: what left the process. */
  readonly body: string;
}

export interface AppInsightsStandin {
  /** `InstrumentationKey=…;IngestionEndpoint=https://127.0.0.1:<port>/` */
  readonly connectionString: string;
  readonly instrumentationKey: string;
  readonly requests: readonly ReceivedRequest[];
  readonly envelopes: readonly Envelope[];
  /** Resolves when `predicate` holds for the envelopes received so far; rejects after `timeoutMs`. */
  waitFor(predicate: (envelopes: readonly Envelope[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startAppInsightsStandin(options: { instrumentationKey?: string; lifetimeMs?: number } = {}): Promise<AppInsightsStandin> {
  const instrumentationKey = options.instrumentationKey ?? "00000000-0000-4000-8000-00000000a1a1";
  const requests: ReceivedRequest[] = [];
  const envelopes: Envelope[] = [];
  // Not `res.writeHead(…).end(…)`: restify, once loaded in the process (other tests), replaces writeHead with one that returns nothing.
  const answer = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = createServer({ key: readFileSync(KEY_PATH), cert: readFileSync(CERTIFICATE_PATH) }, (req, res) => {
    void readBody(req, 64 * 1024 * 1024)
      .then((raw) => {
        const gzipped = req.headers["content-encoding"] === "gzip";
        const body = (gzipped ? gunzipSync(raw) : raw).toString("utf8");
        const path = (req.url ?? "/").split("?")[0]!;
        requests.push({ method: req.method ?? "", path, gzipped, body });
        if (req.method !== "POST" || !/^\/v2(\.1)?\/track$/.test(path)) {
          answer(res, 404, { error: "not found" });
          return;
        }
        const items = JSON.parse(body) as Envelope[];
        envelopes.push(...items);
        answer(res, 200, { itemsReceived: items.length, itemsAccepted: items.length, errors: [] });
      })
      .catch(() => answer(res, 400, { error: "unreadable body" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  setTimeout(() => void close(), options.lifetimeMs ?? 10 * 60_000).unref();
  const { port } = server.address() as AddressInfo;
  return {
    connectionString: `InstrumentationKey=${instrumentationKey};IngestionEndpoint=https://127.0.0.1:${port}/`,
    instrumentationKey,
    requests,
    envelopes,
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(envelopes)) {
        if (Date.now() > deadline)
          throw new Error(`the Application Insights stand-in did not receive what was expected within ${timeoutMs} ms (${envelopes.length} items)`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close,
  };
}

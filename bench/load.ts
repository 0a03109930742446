import { Agent, request } from "node:http";

/** Latency percentiles (ms) of a sample. */
export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))]!;
}

/** The outcome of running operations at a fixed concurrency. */
export interface LoadResult {
  /** Operations that succeeded, per second of wall time. */
  readonly perSecond: number;
  readonly ok: number;
  readonly failed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Runs `op(i)` for i in [0, count) with `concurrency` in flight; times each. `op` resolves true on success. */
export async function runAtConcurrency(count: number, concurrency: number, op: (i: number) => Promise<boolean>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      const success = await op(i).catch(() => false);
      latencies.push(performance.now() - t0);
      if (success) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: ok / elapsedS, ok, failed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies.at(-1) ?? Number.NaN };
}

/** POSTs over kept-alive connections (a load balancer's pool), without fetch's per-request overhead. */
export class Poster {
  private readonly agent: Agent;

  constructor(maxSockets: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** POSTs `body` to `url`; resolves with the status (0: no answer). */
  post(url: string, body: Buffer, headers: Readonly<Record<string, string>>): Promise<number> {
    return new Promise((resolve) => {
      const req = request(url, { method: "POST", agent: this.agent, headers: { ...headers, "content-length": String(body.length) } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(0));
      });
      req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
      req.on("error", () => resolve(0));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The resident set (current and peak) of a process, from /proc (Linux), in MB; undefined elsewhere. */
export async function rssOf(pid: number): Promise<{ rssMb: number; peakMb: number } | undefined> {
  const { readFile } = await import("node:fs/promises");
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the highest seen. */
export function sampleRss(pid: number, intervalMs = 100): { stop: () => number } {
  let peak = 0;
  const timer = setInterval(() => {
    void rssOf(pid).then((r) => {
      if (r) peak = Math.max(peak, r.rssMb);
    });
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

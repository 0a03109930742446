import { sleep } from "./bridge-process";

/** What Meta's side saw while delivering. */
export interface SenderStats {
  /** Deliveries handed to the sender. */
  deliveries: number;
  /** Deliveries finally answered 200. */
  acknowledged: number;
  /** POST attempts in all (redeliveries included). */
  attempts: number;
  /** Non-200 answers by status (0: no answer: connection refused, reset or timed out). */
  readonly failures: Record<number, number>;
  /** Longest time from a delivery's first attempt to its 200, in ms. */
  maxAckWaitMs: number;
}

export interface SenderOptions {
  /** The bridge's webhook URL; several: a load balancer's round robin (each attempt goes to the next). */
  readonly url: string | readonly string[];
  /** Deliveries in flight at once (Meta sends in parallel). */
  readonly concurrency: number;
  /** Give up on a delivery after this long (Meta: 7 days); default 5 minutes. */
  readonly giveUpAfterMs?: number;
  /** Per attempt; default 10 s. */
  readonly attemptTimeoutMs?: number;
}

/**
 * Delivers signed webhooks the way Meta does (docs/protocols.md A4): POST the exact bytes, and redeliver
 * anything not answered 200 (5xx, refused connection, timeout) with growing pauses, until acknowledged.
 */
export class MetaSender {
  readonly stats: SenderStats = { deliveries: 0, acknowledged: 0, attempts: 0, failures: {}, maxAckWaitMs: 0 };
  /** Times (epoch ms) of every 200, in order: when the bridge acknowledged something. */
  readonly ackTimes: number[] = [];

  private readonly urls: string[];
  private turn = 0;

  constructor(private readonly options: SenderOptions) {
    this.urls = typeof options.url === "string" ? [options.url] : [...options.url];
  }

  /** Adds a target (a second instance behind the load balancer). */
  addTarget(url: string): void {
    this.urls.push(url);
  }

  /**
   * A backlog flushed at once (as after an outage): each item in list order, `concurrency` at a time, so
   * one contact's messages may be in flight together and arrive in any order. Resolves when all are
   * acknowledged or given up.
   */
  async deliverAll(items: ReadonlyArray<{ body: Buffer; headers: Readonly<Record<string, string>> }>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await this.deliver(item.body, item.headers);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, items.length) }, worker));
  }

  /**
   * Meta's healthy live traffic: each stream (one contact's messages) is delivered in order, the next
   * only once the previous one was acknowledged; `concurrency` streams at a time.
   */
  async deliverStreams(streams: ReadonlyArray<ReadonlyArray<{ body: Buffer; headers: Readonly<Record<string, string>> }>>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < streams.length) {
        for (const item of streams[next++]!) await this.deliver(item.body, item.headers);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, streams.length) }, worker));
  }

  /** One delivery, redelivered until 200; resolves true when acknowledged. */
  async deliver(body: Buffer, headers: Readonly<Record<string, string>>): Promise<boolean> {
    this.stats.deliveries++;
    const started = Date.now();
    const giveUp = started + (this.options.giveUpAfterMs ?? 300_000);
    for (let attempt = 0; Date.now() < giveUp; attempt++) {
      if (attempt > 0) await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt - 1, 5)) * (0.5 + Math.random() / 2));
      this.stats.attempts++;
      const status = await this.post(body, headers);
      if (status === 200) {
        this.stats.acknowledged++;
        this.stats.maxAckWaitMs = Math.max(this.stats.maxAckWaitMs, Date.now() - started);
        this.ackTimes.push(Date.now());
        return true;
      }
      this.stats.failures[status] = (this.stats.failures[status] ?? 0) + 1;
    }
    return false;
  }

  private async post(body: Buffer, headers: Readonly<Record<string, string>>): Promise<number> {
    try {
      const url = this.urls[this.turn++ % this.urls.length]!;
      const response = await fetch(url, {
        method: "POST",
        headers,
        body: new Uint8Array(body),
        signal: AbortSignal.timeout(this.options.attemptTimeoutMs ?? 10_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      // Refused, reset (the bridge was killed mid-request) or timed out: Meta redelivers these too.
      return 0;
    }
  }
}

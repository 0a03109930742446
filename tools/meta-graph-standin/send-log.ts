import type { RecordedSend, ScriptedFailure } from "./standin-types";

interface Waiter {
  readonly n: number;
  readonly resolve: (sends: RecordedSend[]) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The stand-in's memory: recorded sends, scripted failures and delays, and tests waiting for sends. */
export class SendLog {
  readonly sent: RecordedSend[] = [];
  private failures: ScriptedFailure[] = [];
  private delays: number[] = [];
  private waiters: Waiter[] = [];

  failNext(failure: ScriptedFailure, times: number): void {
    for (let i = 0; i < times; i++) this.failures.push(failure);
  }

  delayNext(ms: number, times: number): void {
    for (let i = 0; i < times; i++) this.delays.push(ms);
  }

  /** Consumes the script for one send: a failure to answer with (if any) and a delay (0 if none). */
  takeScript(): { failure?: ScriptedFailure; delayMs: number } {
    const failure = this.failures.shift();
    const delayMs = this.delays.shift() ?? 0;
    return failure ? { failure, delayMs } : { delayMs };
  }

  record(send: RecordedSend): void {
    this.sent.push(send);
    for (const waiter of this.waiters.filter((w) => this.sent.length >= w.n)) {
      clearTimeout(waiter.timer);
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve([...this.sent]);
    }
  }

  waitFor(n: number, timeoutMs: number): Promise<RecordedSend[]> {
    if (this.sent.length >= n) return Promise.resolve([...this.sent]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`graph-api stand-in: expected ${n} sends within ${timeoutMs} ms, got ${this.sent.length}`));
      }, timeoutMs);
      this.waiters.push({ n, resolve, reject, timer });
    });
  }

  reset(): void {
    this.sent.length = 0;
    this.failures = [];
    this.delays = [];
  }

  /** Rejects every pending waiter: the stand-in is going away. */
  close(): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error("graph-api stand-in closed"));
    }
    this.waiters = [];
  }
}

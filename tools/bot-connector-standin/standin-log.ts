import type { InjectedFailure, RecordedConversation, RecordedPost, RecordedRequest, RecordedUpdate, StandinState } from "./standin-types";

interface Waiter {
  readonly predicate: (state: StandinState) => boolean;
  readonly resolve: () => void;
}

/** What the stand-in has seen, the failures queued for it, and the tests waiting on it. */
export class StandinLog implements StandinState {
  readonly requests: RecordedRequest[] = [];
  readonly created: RecordedConversation[] = [];
  readonly posts: RecordedPost[] = [];
  readonly updates: RecordedUpdate[] = [];
  readonly failures: InjectedFailure[] = [];
  private readonly waiters = new Set<Waiter>();
  private nextId: number;

  constructor(private readonly firstMessageId: number) {
    this.nextId = firstMessageId;
  }

  /** A new message id (a millisecond-timestamp-like number, as Teams uses). */
  newMessageId(): string {
    return String(this.nextId++);
  }

  /** Re-checks waiting predicates; call after every change. */
  changed(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(this)) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  waitFor(predicate: (state: StandinState) => boolean, timeoutMs: number): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`bot connector stand-in: condition not met within ${timeoutMs} ms (${this.requests.length} requests seen)`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.add(waiter);
    });
  }

  reset(): void {
    this.requests.length = 0;
    this.created.length = 0;
    this.posts.length = 0;
    this.updates.length = 0;
    this.failures.length = 0;
    this.nextId = this.firstMessageId;
  }
}

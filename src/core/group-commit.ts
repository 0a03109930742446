/**
 * Group commit: callers submit one item each and wait for its own result, while the items that arrive
 * together are written in one storage request. Under load (the webhook at concurrency 50) this turns
 * fifty journal uploads and fifty entity creates into a handful of requests, which is what makes the
 * acknowledgement path cheap: the cost of a storage call is mostly per request (HTTP, signing, the SDK
 * pipeline), not per item. Alone, an item is written at once (no timer): a flush starts on the next turn
 * of the event loop whenever fewer than `maxInFlight` flushes are running, and takes everything queued
 * by then (up to `maxItems` / `maxBytes`); items that arrive while all slots are busy wait for the next.
 */
export interface GroupCommitOptions<T> {
  /** Most items in one flush. */
  readonly maxItems: number;
  /** Most bytes (by `sizeOf`) in one flush; a single item larger than this still goes, alone. */
  readonly maxBytes: number;
  readonly sizeOf: (item: T) => number;
  /** Flushes running at once (pipelining: a new batch may start before the previous one is stored). */
  readonly maxInFlight: number;
}

/**
 * Writes a batch; resolves with one outcome per item, in order: a value, or an Error for that item
 * alone. Rejecting fails every item of the batch with that error.
 */
export type CommitBatch<T, R> = (items: readonly T[]) => Promise<ReadonlyArray<R | Error>>;

interface Waiting<T, R> {
  readonly item: T;
  readonly size: number;
  readonly resolve: (result: R) => void;
  readonly reject: (err: unknown) => void;
}

export class GroupCommit<T, R> {
  private readonly queue: Array<Waiting<T, R>> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly commit: CommitBatch<T, R>,
    private readonly options: GroupCommitOptions<T>,
  ) {
    if (options.maxItems < 1 || options.maxInFlight < 1 || options.maxBytes < 1) throw new RangeError("group commit limits must be at least 1");
  }

  /** Queues `item` for the next flush; settles with the item's own outcome once its batch is stored. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, size: this.options.sizeOf(item), resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a flush slot (not counting those being written). */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate, not a microtask: requests whose bodies arrived in the same I/O phase join one batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    const batch = this.take();
    this.inFlight++;
    void this.run(batch).finally(() => {
      this.inFlight--;
      this.schedule();
    });
    // More queued than one batch holds, and a slot is free: start the next one now too.
    this.schedule();
  }

  private take(): Array<Waiting<T, R>> {
    const batch: Array<Waiting<T, R>> = [];
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < this.options.maxItems) {
      const next = this.queue[0]!;
      if (batch.length > 0 && bytes + next.size > this.options.maxBytes) break;
      batch.push(this.queue.shift()!);
      bytes += next.size;
    }
    return batch;
  }

  private async run(batch: ReadonlyArray<Waiting<T, R>>): Promise<void> {
    let outcomes: ReadonlyArray<R | Error>;
    try {
      outcomes = await this.commit(batch.map((w) => w.item));
    } catch (err) {
      for (const waiting of batch) waiting.reject(err);
      return;
    }
    batch.forEach((waiting, i) => {
      const outcome = i < outcomes.length ? outcomes[i]! : new Error("group commit: the batch returned no outcome for this item");
      if (outcome instanceof Error) waiting.reject(outcome);
      else waiting.resolve(outcome);
    });
  }
}

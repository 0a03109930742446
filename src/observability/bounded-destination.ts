/**
 * A log destination that can never stop the bridge. pino's default stdout destination writes
 * synchronously and, when the reader of stdout stops reading, retries in a sleep loop on the main thread:
 * timers (a shutdown deadline included) never fire again. This one hands each line to a stream that
 * writes asynchronously (`process.stdout` on a pipe or socket: libuv queues what the pipe does not take),
 * keeps at most `maxBufferedBytes` waiting, and drops lines beyond that, counting them; the count is
 * reported once the stream has drained.
 */

/** The part of a Node writable stream this needs (`process.stdout` fits). */
export interface LineTarget {
  write(chunk: string): boolean;
  /** Bytes accepted but not yet written out. */
  readonly writableLength: number;
  on(event: "drain", listener: () => void): unknown;
}

export interface BoundedDestination {
  /** pino's destination interface: one serialized line (with its newline). */
  write(line: string): void;
  /** Lines dropped since the last report. */
  readonly dropped: number;
}

/**
 * `onDrained(count)` is called (once per backlog) when `count` lines were dropped and the target has since
 * drained; it typically logs the count through the same destination.
 */
export function boundedDestination(target: LineTarget, options: { maxBufferedBytes: number; onDrained: (dropped: number) => void }): BoundedDestination {
  let dropped = 0;
  const report = () => {
    if (dropped === 0) return;
    const count = dropped;
    dropped = 0;
    options.onDrained(count);
  };
  target.on("drain", report);
  return {
    get dropped() {
      return dropped;
    },
    write(line: string) {
      if (target.writableLength + Buffer.byteLength(line) > options.maxBufferedBytes) {
        dropped++;
        return;
      }
      // A backlog dropped while nothing was queued (a single huge line) has no drain to wait for.
      if (dropped > 0 && target.writableLength === 0) report();
      target.write(line);
    },
  };
}

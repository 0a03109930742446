/** Time, as a port so that rules about time (windows, retries) can be tested with a fixed clock. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

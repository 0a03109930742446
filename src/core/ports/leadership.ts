/**
 * Which instance processes work (docs/reliability.md, "Several instances"): any instance ingests, only the leader (the holder of a
 * lease) runs the per-contact lanes. Leadership can be lost at any time (the lease could not be renewed),
 * so the holder asks `isLeader()` before taking each piece of work.
 */
export interface Leadership {
  /** True while this instance holds the lease. No I/O. */
  isLeader(): boolean;
  /**
   * Calls `listener` with the new value whenever leadership changes (not with the current value).
   * Returns a function that unsubscribes. Listeners must not throw.
   */
  onChange(listener: (leader: boolean) => void): () => void;
}

/** A single instance: always the leader (unit tests, and deployments that run one process). */
export const ALWAYS_LEADER: Leadership = {
  isLeader: () => true,
  onChange: () => () => {},
};

/**
 * Mocha root hooks: shared fixtures that several suites use are started lazily by the suites themselves
 * (see azurite.ts) and stopped here, once, after the whole run.
 */
const stoppers: Array<() => Promise<void>> = [];

/** Registers a clean-up that runs after all tests. */
export function afterAllTests(stop: () => Promise<void>): void {
  stoppers.push(stop);
}

/**
 * In parallel mode (`MOCHA_WORKER_ID` set in each worker) root hooks run after every file, not once: the
 * shared fixtures then live as long as their worker, which mocha ends after the run (Azurite, a child,
 * exits with it). Stopping them after each file would also leave MSAL asking a token issuer that is gone.
 */
const inParallelWorker = process.env.MOCHA_WORKER_ID !== undefined;

export const mochaHooks = {
  async afterAll(): Promise<void> {
    if (inParallelWorker) return;
    for (const stop of stoppers.splice(0).reverse()) await stop();
  },
};

/**
 * Mocha root hooks: shared fixtures that several suites use are started lazily by the suites themselves
 * (see azurite.ts) and stopped here, once, after the whole run.
 */
const stoppers: Array<() => Promise<void>> = [];

/** Registers a clean-up that runs after all tests. */
export function afterAllTests(stop: () => Promise<void>): void {
  stoppers.push(stop);
}

export const mochaHooks = {
  async afterAll(): Promise<void> {
    for (const stop of stoppers.splice(0).reverse()) await stop();
  },
};

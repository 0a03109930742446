import Mocha from "mocha";

/**
 * mocha's spec reporter plus one plain closing line, `N passed, N failed[, N skipped]`, so any CI reader
 * can tell how many tests ran without knowing mocha's own summary format.
 */
class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const s = runner.stats;
      if (!s) return;
      const skipped = s.pending > 0 ? `, ${s.pending} skipped` : "";
      console.log(`${s.passes} passed, ${s.failures} failed${skipped}`);
    });
  }
}

export = SummaryReporter;

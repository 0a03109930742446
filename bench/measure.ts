/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns operations per second. */
export async function opsPerSecond(fn: () => unknown | Promise<unknown>, ms = 1500): Promise<number> {
  const warmUntil = performance.now() + ms / 5;
  while (performance.now() < warmUntil) await fn();
  let count = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 50; i++) await fn();
    count += 50;
    now = performance.now();
  }
  return (count * 1000) / (now - start);
}

/** Operations per second of ours and of the baseline, and ours/baseline. */
export interface SideBySide {
  readonly ours: number;
  readonly baseline: number;
  readonly ratio: number;
}

/** Measures two functions in alternating rounds so machine noise hits both alike; returns medians. */
export async function sideBySide(ours: () => unknown, baseline: () => unknown, rounds = 3, ms = 800): Promise<SideBySide> {
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(await opsPerSecond(ours, ms));
    b.push(await opsPerSecond(baseline, ms));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return { ours: median(a), baseline: median(b), ratio: median(a) / median(b) };
}

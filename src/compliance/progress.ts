/** Where progress goes: stderr, or anything with `write` (tests). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * A plain-text progress bar: `label [#########-----------]  45%  detail`. On a terminal it redraws one
 * line; elsewhere (a log, a pipe) it prints a line at each tenth, so a log is not flooded.
 */
export class ProgressBar {
  private lastTenth = -1;
  private drawnAt = 0;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly width = 30,
  ) {}

  /** Shows `done` of `total` (any unit); `detail` is added after the percentage. */
  update(done: number, total: number, detail = ""): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const percent = Math.floor(fraction * 100);
    const filled = Math.round(fraction * this.width);
    const line = `${this.label} [${"#".repeat(filled)}${"-".repeat(this.width - filled)}] ${String(percent).padStart(3)}%${detail ? `  ${detail}` : ""}`;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (fraction < 1 && now - this.drawnAt < 100) return;
      this.drawnAt = now;
      this.stream.write(`\r${line}\u001b[K`);
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth === this.lastTenth) return;
    this.lastTenth = tenth;
    this.stream.write(`${line}\n`);
  }

  /** Ends the bar's line. */
  done(detail = ""): void {
    this.lastTenth = -1;
    this.update(1, 1, detail);
    if (this.stream.isTTY) this.stream.write("\n");
  }
}

/** Where a progress line goes: stderr, normally. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const WIDTH = 30;

/**
 * A one-line progress bar. On a terminal it redraws in place (at most every `intervalMs`); elsewhere
 * (CI logs, a file) it prints a plain line at each tenth so the log is not flooded.
 */
export class ProgressBar {
  private lastDraw = 0;
  private lastTenth = -1;
  private finished = false;

  constructor(
    private readonly out: ProgressStream,
    private readonly label: string,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  update(done: number, total: number): void {
    if (this.finished || total <= 0) return;
    const ratio = Math.min(1, done / total);
    if (this.out.isTTY) {
      const t = this.now();
      if (done < total && t - this.lastDraw < this.intervalMs) return;
      this.lastDraw = t;
      const filled = Math.round(ratio * WIDTH);
      this.out.write(`\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.floor(ratio * 100)}% ${done}/${total}`);
    } else {
      const tenth = Math.floor(ratio * 10);
      if (tenth === this.lastTenth) return;
      this.lastTenth = tenth;
      this.out.write(`${this.label}: ${tenth * 10}% (${done}/${total})\n`);
    }
    if (done >= total) this.finish();
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.out.isTTY && this.lastDraw > 0) this.out.write('\n');
  }
}

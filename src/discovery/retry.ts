// Capped exponential back-off with a time budget for the discovery client: each failure logs
// one line saying what failed and when the next try is; a run of failures longer than the
// budget ends discovery. A success ends the run. Time and sleep are injectable for tests.
import { formatDurationMs } from './duration.js';

export interface RetryOptions {
  /** Longest run of consecutive failures tolerated (--discovery-timeout). */
  readonly budgetMs: number;
  readonly delayMsBase: number;
  readonly delayMsMax: number;
  readonly nowMs?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class RetryBudget {
  private failingSinceMs: number | null = null;
  private failures = 0;
  private readonly nowMs: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly options: RetryOptions,
    private readonly log: (line: string) => void,
    /** Builds the error thrown when the budget is spent. */
    private readonly exhausted: (failingMs: number, lastReason: string) => Error,
  ) {
    this.nowMs = options.nowMs ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  succeeded(): void {
    this.failingSinceMs = null;
    this.failures = 0;
  }

  /** Logs the failure and sleeps before the next try; throws once the budget is spent. */
  async failed(what: string, reason: string): Promise<void> {
    const now = this.nowMs();
    this.failingSinceMs ??= now;
    const failingMs = now - this.failingSinceMs;
    const leftMs = this.options.budgetMs - failingMs;
    if (leftMs <= 0) throw this.exhausted(failingMs, `${what}: ${reason}`);
    const { delayMsBase, delayMsMax } = this.options;
    const delayMs = Math.min(delayMsBase * 2 ** Math.min(this.failures, 30), delayMsMax, leftMs);
    this.failures++;
    this.log(`discovery: ${what} failed (${reason}); retrying in ${formatDurationMs(delayMs)} `
      + `(failure ${this.failures}; back-off doubles up to ${formatDurationMs(delayMsMax)}; `
      + `giving up after ${formatDurationMs(this.options.budgetMs)} of failures)`);
    await this.sleep(delayMs);
  }
}

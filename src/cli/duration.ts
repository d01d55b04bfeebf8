// Parses the durations kvctl's flags take: "500ms", "5s", "2m", "1h", or a bare number of
// seconds ("5", "0.5"), as etcdctl accepts. Imports exit-codes only.
import { UsageError } from './exit-codes.js';

const unitMs: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in `text`; throws a UsageError naming `flag` when it is not a duration > 0. */
export function parseDurationMs(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = match === null ? NaN : Number(match[1]) * (unitMs[match[2] ?? 's'] ?? NaN);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(`${flag}: "${text}" is not a duration (examples: 500ms, 5s, 2m)`);
  }
  return Math.round(ms);
}

/** A whole number >= `min`; throws a UsageError naming `flag` otherwise. */
export function parseInteger(text: string, flag: string, min = 0): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${flag}: "${text}" is not a whole number >= ${min}`);
  }
  return value;
}

export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

// Durations on the command line, in Go's spelling for the common cases: "300ms", "30s", "5m",
// "2h", "7d", or a bare number of seconds. Pure; imports nothing.

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or null when `text` is not a duration. */
export function parseDurationMs(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (match === null) return null;
  const ms = Number(match[1]) * unitMs[match[2] ?? 's']!;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

/** "5m0s"-like short text for messages: the largest units that keep it exact. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000 && ms % 1000 !== 0) return `${Number((ms / 1000).toFixed(1))}s`;
  if (ms % 1000 !== 0) return formatDurationMs(Math.round(ms / 1000) * 1000);
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h${minutes % 60}m${seconds % 60}s`;
}

// Where kvctl writes and in which shape: --output simple (etcdctl's plain lines), json (one
// JSON document per line, field order fixed by the command, stable for scripts) or table
// (bordered, aligned columns, as etcdctl v3 prints them). Errors and notes go to stderr.
// Imports exit-codes only.
import { UsageError } from './exit-codes.js';

export const outputFormats = ['simple', 'json', 'table'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export interface Writer {
  write(text: string): unknown;
}

export class Output {
  constructor(
    readonly format: OutputFormat,
    private readonly stdout: Writer = process.stdout,
    private readonly stderr: Writer = process.stderr,
  ) {}

  /** A line on stdout. */
  line(text: string): void {
    this.stdout.write(text + '\n');
  }

  /** One JSON document on one line. */
  json(value: unknown): void {
    this.stdout.write(JSON.stringify(value) + '\n');
  }

  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    this.stdout.write(renderTable(headers, rows));
  }

  /** A note or error on stderr. */
  warn(text: string): void {
    this.stderr.write(text + '\n');
  }
}

export function parseOutputFormat(text: string): OutputFormat {
  const format = outputFormats.find((name) => name === text);
  if (format === undefined) {
    throw new UsageError(`--output: "${text}" is not one of ${outputFormats.join(', ')}`);
  }
  return format;
}

/**
 * A bordered table; every column as wide as its widest cell:
 * ```
 * +----+------+
 * | ID | NAME |
 * +----+------+
 * | 1  | m1   |
 * +----+------+
 * ```
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const rule = '+' + widths.map((width) => '-'.repeat(width + 2)).join('+') + '+\n';
  const render = (cells: readonly string[]): string =>
    '|' + widths.map((width, i) => ` ${(cells[i] ?? '').padEnd(width)} `).join('|') + '|\n';
  return rule + render(headers) + rule + rows.map(render).join('') + (rows.length > 0 ? rule : '');
}

/** Columns padded to their widest cell and joined by two spaces: aligned plain text. */
export function renderColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
  );
}

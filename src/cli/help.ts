// Help text every command shares: the examples block printed after --help. Imports nothing.

/** "Examples:" followed by one `kvctl <line>` per line. */
export function examples(...lines: string[]): string {
  return '\nExamples:\n' + lines.map((line) => `  kvctl ${line}\n`).join('');
}

// kvctl: the operator's CLI (commander). Talks to kvd only through the HTTP/JSON API.
// So far: --version, get and put (set) against --endpoints; more commands follow.
import { Command, CommanderError } from 'commander';

export const KVCTL_VERSION = '0.1.0';

interface GlobalOptions { endpoints: string; timeout: string }

async function request(options: GlobalOptions, method: string, key: string, form?: Record<string, string>): Promise<void> {
  const endpoints = options.endpoints.split(',').map((e) => e.trim().replace(/\/$/, ''));
  let lastError: unknown = null;
  for (const endpoint of endpoints) {
    try {
      const response = await fetch(`${endpoint}/v2/keys${key.startsWith('/') ? key : `/${key}`}`, {
        method,
        signal: AbortSignal.timeout(Number(options.timeout) * 1000),
        ...(form ? { body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
      });
      const body = await response.json() as { node?: { value?: string }; errorCode?: number; message?: string; cause?: string };
      if (body.errorCode !== undefined) {
        process.stderr.write(`Error: ${body.errorCode}: ${body.message} (${body.cause ?? ''})\n`);
        process.exit(4);
      }
      process.stdout.write(`${body.node?.value ?? ''}\n`);
      return;
    } catch (error) {
      lastError = error;
    }
  }
  process.stderr.write(`Error: cannot reach any endpoint (${endpoints.join(', ')}): ${String(lastError)}\n`);
  process.exit(1);
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('kvctl')
    .description('kvctl: the kvd operator CLI')
    .version(KVCTL_VERSION, '--version')
    .option('--endpoints <urls>', 'comma-separated client URLs', process.env['KVCTL_ENDPOINTS'] ?? 'http://127.0.0.1:2379')
    .option('--timeout <seconds>', 'request timeout', '5')
    .exitOverride();
  program.command('get <key>').description('print the value of a key\n\nexample: kvctl get /foo')
    .action(async (key: string) => request(program.opts<GlobalOptions>(), 'GET', key));
  program.command('put <key> <value>').alias('set').description('set a key\n\nexample: kvctl put /foo bar')
    .action(async (key: string, value: string) => request(program.opts<GlobalOptions>(), 'PUT', key, { value }));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 1);
    throw error;
  }
}

// kvctl lock NAME -- COMMAND: takes the named lock (queue-recipe.ts: an in-order key with a
// TTL, kept alive while held), runs COMMAND while holding it, releases it, and exits with the
// command's exit code. If the lock is lost while the command runs (its key could not be
// refreshed), the command gets SIGTERM (SIGKILL 2 s later) and kvctl exits 1.
// Imports the context, queue-recipe, run-command, duration, help and exit-codes.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Command } from 'commander';
import type { CliContext, ContextOf } from '../context.js';
import { parseInteger } from '../duration.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { examples } from '../help.js';
import { QueueEntry } from '../queue-recipe.js';
import { startCommand } from '../run-command.js';

export const lockPrefix = '/_kvctl/locks';

interface LockOptions {
  readonly ttl?: string;
}

export function registerLock(program: Command, contextOf: ContextOf): void {
  program
    .command('lock')
    .description('run a command while holding a named lock (released when it ends)')
    .argument('<name>', "the lock's name")
    .argument('<command...>', 'the command and its arguments, after --')
    .option('--ttl <seconds>', "the lock key's time to live; refreshed every ttl/3", '10')
    .addHelpText(
      'after',
      examples(
        'lock backup -- ./backup.sh /var/data',
        'lock --ttl 30 deploy -- sh -c "make deploy"',
      ) +
        "\nThe command sees the lock key in KVCTL_LOCK_KEY. Exit code: the command's; 1 if the\n" +
        'lock was lost while it ran (it is then sent SIGTERM).\n',
    )
    .action(async (name: string, argv: string[], options: LockOptions, command: Command) => {
      const context = contextOf(command);
      if (argv.length === 0) throw new UsageError('lock: no command given (after --)');
      const ttl = parseInteger(options.ttl ?? '10', '--ttl', 1);
      const value = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
      const dir = `${lockPrefix}/${name}`;
      const entry = await QueueEntry.join(context.client, dir, value, {
        ttlSeconds: ttl,
        uniqueValue: true,
      });
      try {
        if (!(await entry.waitUntilFirst(context.stop))) {
          context.exitCode = signalExitCode(context.stop.reason);
          return;
        }
        context.exitCode = await runHolding(context, entry, argv);
      } finally {
        await entry.leave();
      }
    });
}

async function runHolding(context: CliContext, entry: QueueEntry, argv: string[]): Promise<number> {
  const run = await startCommand(
    argv,
    { ...context.io.env, KVCTL_LOCK_KEY: entry.key },
    context.stop,
  );
  const onLost = (): void => {
    context.out.warn(`kvctl: lock ${(entry.lost.reason as Error).message}; stopping ${argv[0]}`);
    run.kill('SIGTERM');
    setTimeout(() => run.kill('SIGKILL'), 2000).unref();
  };
  entry.lost.addEventListener('abort', onLost, { once: true });
  const code = await run.done;
  entry.lost.removeEventListener('abort', onLost);
  return entry.lost.aborted ? ExitCode.unreachable : code;
}

export function signalExitCode(reason: unknown): number {
  return reason === 'SIGINT' ? 130 : 143;
}

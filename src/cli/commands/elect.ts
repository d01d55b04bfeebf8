// kvctl elect NAME VALUE: campaigns in the named election (queue-recipe.ts: the first live
// in-order key leads) and prints the leader's value each time it changes, its own VALUE
// once elected; stays a candidate or leader until interrupted, then resigns. With --listen
// it only prints the leaders. Imports the context, queue-recipe, watch-loop, duration, help
// and exit-codes.
import { Command } from 'commander';
import { sleep, type CliContext, type ContextOf } from '../context.js';
import { parseInteger } from '../duration.js';
import { UnreachableError, UsageError } from '../exit-codes.js';
import { examples } from '../help.js';
import type { V2Node } from '../keys-api.js';
import { EntryLost, QueueEntry, readQueue } from '../queue-recipe.js';
import { waitForChange } from '../watch-loop.js';

export const electionPrefix = '/_kvctl/elections';

interface ElectOptions {
  readonly ttl?: string;
  readonly listen?: boolean;
}

export function registerElect(program: Command, contextOf: ContextOf): void {
  program
    .command('elect')
    .description('campaign for leadership of a named election; print its leader as it changes')
    .argument('<name>', "the election's name")
    .argument('[value]', "this candidate's value (printed when it leads)")
    .option('-l, --listen', 'only print the leaders; do not campaign')
    .option('--ttl <seconds>', "the candidate key's time to live; refreshed every ttl/3", '10')
    .addHelpText(
      'after',
      examples('elect scheduler host-a', 'elect -l scheduler', '-o json elect scheduler host-b') +
        '\nRuns until interrupted (Ctrl-C, SIGTERM), then resigns.\n' +
          'Exit 1 if the candidacy is lost.\n',
    )
    .action(
      async (name: string, value: string | undefined, options: ElectOptions, command: Command) => {
        const context = contextOf(command);
        const ttl = parseInteger(options.ttl ?? '10', '--ttl', 1);
        const dir = `${electionPrefix}/${name}`;
        if (options.listen === true) return observe(context, name, dir, null);
        if (value === undefined) throw new UsageError('elect: a value is needed unless --listen');
        const entry = await QueueEntry.join(context.client, dir, value, {
          ttlSeconds: ttl,
          uniqueValue: false,
        });
        try {
          await observe(context, name, dir, entry);
        } finally {
          await entry.leave();
        }
      },
    );
}

/** Prints each new leader until stop (or until `entry` is lost, which throws). */
async function observe(
  context: CliContext,
  name: string,
  dir: string,
  entry: QueueEntry | null,
): Promise<void> {
  const quit = entry === null ? context.stop : AbortSignal.any([context.stop, entry.lost]);
  let shown: string | null = null;
  while (!quit.aborted) {
    try {
      const view = await readQueue(context.client, dir);
      if (entry !== null && !view.entries.some((n) => n.key === entry.key) && !quit.aborted) {
        throw new EntryLost(entry.key, 'its key is gone');
      }
      const leader = view.entries[0];
      if (leader !== undefined && leader.key !== shown) {
        shown = leader.key ?? null;
        printLeader(context, name, leader, entry);
      }
      await waitForChange(context.client, dir, view.etcdIndex, {
        recursive: true,
        stop: quit,
        pollMs: 30_000,
      });
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      await sleep(250, quit);
    }
  }
  if (entry?.lost.aborted === true && !context.stop.aborted) throw entry.lost.reason;
}

function printLeader(
  context: CliContext,
  name: string,
  leader: V2Node,
  entry: QueueEntry | null,
): void {
  const self = entry !== null && leader.key === entry.key;
  if (context.out.format === 'json') {
    return context.out.json({ election: name, leader: leader.value ?? '', key: leader.key, self });
  }
  if (context.out.format === 'table') {
    return context.out.table(
      ['ELECTION', 'LEADER', 'KEY', 'SELF'],
      [[name, leader.value ?? '', leader.key ?? '', String(self)]],
    );
  }
  context.out.line(leader.value ?? '');
}

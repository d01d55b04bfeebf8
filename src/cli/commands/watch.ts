// kvctl watch KEY: waits for the next change of a key (or, with -r, of anything under it) and
// prints it as etcdctl does; --forever keeps watching until interrupted, --after-index starts
// from a past index. Imports the context, watch-loop, render-node, help and duration.
import { Command } from 'commander';
import type { CliContext, ContextOf } from '../context.js';
import { parseInteger } from '../duration.js';
import { examples } from '../help.js';
import type { KeysAnswer } from '../keys-api.js';
import { printAnswer } from '../render-node.js';
import { watchEvents } from '../watch-loop.js';

interface WatchOptions {
  readonly forever?: boolean;
  readonly afterIndex?: string;
  readonly recursive?: boolean;
}

export function registerWatch(program: Command, contextOf: ContextOf): void {
  program
    .command('watch')
    .description('watch a key for changes (prints the first change, or all with --forever)')
    .argument('<key>', 'the key or directory')
    .option('--forever', 'keep watching until interrupted (Ctrl-C)')
    .option('--after-index <index>', 'watch changes after this etcd index', '0')
    .option('-r, --recursive', 'watch everything under the directory')
    .addHelpText(
      'after',
      examples(
        'watch /config/a',
        'watch -r --forever /config',
        '-o json watch --after-index 41 /config/a',
      ),
    )
    .action(async (key: string, options: WatchOptions, command: Command) => {
      const context = contextOf(command);
      const after = parseInteger(options.afterIndex ?? '0', '--after-index', 0);
      const events = watchEvents(context.client, key, {
        recursive: options.recursive === true,
        ...(after > 0 ? { afterIndex: after } : {}),
        stop: context.stop,
        ...(options.forever === true ? { resync: resyncNote(context) } : {}),
      });
      for await (const event of events) {
        printEvent(context, event, options.recursive === true);
        if (options.forever !== true) return;
      }
    });
}

export function resyncNote(context: CliContext): (missedFrom: number, resumeAt: number) => void {
  return (missedFrom, resumeAt) =>
    context.out.warn(
      `kvctl: events from index ${missedFrom} were cleared from etcd's history; ` +
        `watching again from ${resumeAt} (changes in between were missed)`,
    );
}

function printEvent(context: CliContext, event: KeysAnswer, recursive: boolean): void {
  const out = context.out;
  if (out.format === 'simple' && recursive) out.line(`[${event.action}] ${event.node.key ?? ''}`);
  if (out.format === 'table') {
    const value = event.node.value ?? event.prevNode?.value ?? '';
    out.table(
      ['ACTION', 'KEY', 'VALUE', 'MODIFIED'],
      [[event.action, event.node.key ?? '', value, String(event.node.modifiedIndex ?? '')]],
    );
    return;
  }
  printAnswer(out, event, 'value');
}

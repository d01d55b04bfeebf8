// kvctl rm KEY: deletes a key, or a directory with --dir (empty) or -r (with everything under
// it); --with-value / --with-index make it a compare-and-delete. Prints the old value as
// etcdctl does. Imports the context, keys-api, render-node, help and duration.
import { Command } from 'commander';
import type { ContextOf } from '../context.js';
import { parseInteger } from '../duration.js';
import { examples } from '../help.js';
import { keysRequest } from '../keys-api.js';
import { printAnswer } from '../render-node.js';

interface RmOptions {
  readonly recursive?: boolean;
  readonly dir?: boolean;
  readonly withValue?: string;
  readonly withIndex?: string;
}

export function registerRm(program: Command, contextOf: ContextOf): void {
  program
    .command('rm')
    .description('remove a key or a directory')
    .argument('<key>', 'the key')
    .option('-r, --recursive', 'remove a directory and everything under it')
    .option('--dir', 'remove an empty directory or a key')
    .option('--with-value <value>', 'only if the current value is <value>')
    .option('--with-index <index>', 'only if the current modified index is <index>')
    .addHelpText('after', examples('rm /config/a', 'rm -r /config', 'rm /lock/a --with-value me'))
    .action(async (key: string, options: RmOptions, command: Command) => {
      const context = contextOf(command);
      const index = options.withIndex;
      const answer = await keysRequest(context.client, 'DELETE', key, {
        recursive: options.recursive === true ? true : undefined,
        dir: options.dir === true ? true : undefined,
        prevValue: options.withValue,
        prevIndex: index === undefined ? undefined : parseInteger(index, '--with-index', 1),
      });
      printAnswer(context.out, answer, 'prev-value');
    });
}

// kvctl get KEY: prints a key's value (etcdctl v2 `get`). A directory is refused as etcdctl
// does; --quorum makes the read linearizable. Imports the context, keys-api and render-node.
import { Command } from 'commander';
import type { ContextOf } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { keysRequest } from '../keys-api.js';
import { examples } from '../help.js';
import { printAnswer } from '../render-node.js';

interface GetOptions {
  readonly quorum?: boolean;
}

export function registerGet(program: Command, contextOf: ContextOf): void {
  program
    .command('get')
    .description('print the value of a key')
    .argument('<key>', 'the key, e.g. /config/a')
    .option('--quorum', 'linearizable read: served after the leader confirms it still leads')
    .addHelpText('after', examples('get /config/a', '-o json get --quorum /config/a'))
    .action(async (key: string, options: GetOptions, command: Command) => {
      const context = contextOf(command);
      const answer = await keysRequest(context.client, 'GET', key, { quorum: options.quorum });
      if (answer.node.dir === true && context.out.format === 'simple') {
        throw new UsageError(`${answer.node.key ?? key}: is a directory`);
      }
      printAnswer(context.out, answer, 'value');
    });
}

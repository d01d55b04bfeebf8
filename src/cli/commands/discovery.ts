// kvctl discovery new --size N: asks a discovery service (any kvd cluster, or
// discovery.etcd.io) for a new token and prints its URL, for `kvd --discovery URL`.
import { Command } from 'commander';
import { requestNewToken } from '../../discovery/new-token-client.js';
import type { ContextOf } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { examples } from '../help.js';

export function registerDiscovery(program: Command, contextOf: ContextOf): void {
  const discovery = program
    .command('discovery')
    .description('discovery tokens for bootstrapping a new cluster')
    .addHelpText('after', examples('discovery new --size 3'));
  discovery
    .command('new')
    .description('create a discovery token on the first reachable endpoint and print its URL')
    .option('--size <n>', 'the number of members the token bootstraps (1..99)', '3')
    .addHelpText('after', examples('discovery new --size 5', '--endpoints http://10.0.0.1:2379 discovery new'))
    .action(async (options: { size: string }, command: Command) => {
      const context = contextOf(command);
      const size = Number(options.size);
      if (!/^\d+$/.test(options.size) || size < 1 || size > 99) {
        throw new UsageError(`--size must be a whole number from 1 to 99, got "${options.size}"`);
      }
      let lastError = '';
      for (const endpoint of context.endpoints) {
        try {
          const answer = await requestNewToken(endpoint, size);
          if (!answer.ok) throw new UsageError(`${endpoint} refused: HTTP ${answer.status} ${answer.text}`);
          if (context.out.format === 'json') return context.out.json({ token: answer.text, size });
          return context.out.line(answer.text);
        } catch (error) {
          if (error instanceof UsageError) throw error;
          lastError = `${endpoint}: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      throw new Error(`no endpoint could create a token (${lastError})`);
    });
}

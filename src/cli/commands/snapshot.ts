// kvctl snapshot save FILE: reads the whole keyspace (recursive, quorum) and writes it as JSON
// (written to FILE.part, then renamed). etcd leaves hidden keys (names starting with "_") out
// of recursive listings, so they are not saved. `snapshot restore` (into a data dir) is not
// implemented yet. Imports the context, keys-api, help and exit-codes.
import { rename, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { ContextOf } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { examples } from '../help.js';
import { keysRequest, leaves } from '../keys-api.js';

export const snapshotFormat = 'kvctl-v2-keys-snapshot/1';

export function registerSnapshot(program: Command, contextOf: ContextOf): void {
  const snapshot = program
    .command('snapshot')
    .description('save the keyspace to a file')
    .addHelpText('after', examples('snapshot save backup.json'));

  snapshot
    .command('save')
    .description('save every (non-hidden) key, directory and TTL as JSON')
    .argument('<file>', 'where to write')
    .addHelpText('after', examples('snapshot save /backups/kvd-$(date +%F).json'))
    .action(async (file: string, _options: object, command: Command) => {
      const context = contextOf(command);
      const answer = await keysRequest(context.client, 'GET', '/', {
        recursive: true,
        quorum: true,
      });
      const document = {
        format: snapshotFormat,
        savedAt: new Date().toISOString(),
        endpoint: answer.endpoint,
        etcdIndex: answer.etcdIndex,
        node: answer.node,
      };
      try {
        await writeFile(`${file}.part`, JSON.stringify(document) + '\n');
        await rename(`${file}.part`, file);
      } catch (error) {
        throw new CliError(`cannot write ${file}: ${(error as Error).message}`, ExitCode.usage);
      }
      const keys = leaves(answer.node).filter((n) => n.key !== undefined).length;
      if (context.out.format === 'json') {
        return context.out.json({ file, keys, etcdIndex: answer.etcdIndex });
      }
      context.out.line(`Snapshot saved at ${file}: ${keys} keys at etcd index ${answer.etcdIndex}`);
    });
}

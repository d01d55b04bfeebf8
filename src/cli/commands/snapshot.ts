// kvctl snapshot save FILE: reads the whole keyspace (recursive, quorum) and writes it as JSON
// (written to FILE.part, then renamed). etcd leaves hidden keys (names starting with "_") out
// of recursive listings, so they are not saved. `snapshot restore FILE --data-dir DIR` builds a
// fresh member data dir from such a file (src/server/restore-data-dir.ts). Imports the
// context, keys-api, help, exit-codes, and the data-dir builder.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { restoreDataDir, type SnapshotNode } from '../../server/restore-data-dir.js';
import { parseInitialCluster } from '../../server/flags.js';
import { Command } from 'commander';
import type { ContextOf } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { examples } from '../help.js';
import { keysRequest, leaves } from '../keys-api.js';

export const snapshotFormat = 'kvctl-v2-keys-snapshot/1';

export function registerSnapshot(program: Command, contextOf: ContextOf): void {
  const snapshot = program
    .command('snapshot')
    .description('save the keyspace to a file, or restore one into a new data dir')
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

  snapshot
    .command('restore')
    .description('build a fresh member data dir from a saved snapshot (start kvd on it next)')
    .argument('<file>', 'a file written by snapshot save')
    .requiredOption('--data-dir <dir>', 'the new data dir (must not exist or be empty)')
    .option('--name <name>', 'the member this data dir is for', 'default')
    .option('--initial-cluster <list>', 'name=peerURL,... of the new cluster (default: just this member)')
    .option('--initial-advertise-peer-urls <urls>', "this member's peer URL", 'http://127.0.0.1:2380')
    .option('--initial-cluster-token <token>', 'the new cluster token', 'kvd-cluster')
    .addHelpText('after', examples(
      'snapshot restore backup.json --data-dir data/restored',
      'snapshot restore backup.json --data-dir data/a --name a --initial-cluster a=http://127.0.0.1:2380,b=http://127.0.0.1:2382',
    ))
    .action(async (file: string, options: RestoreFlags) => {
      let document: { format?: string; savedAt?: string; node?: SnapshotNode };
      try {
        document = JSON.parse(await readFile(file, 'utf8')) as typeof document;
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${(error as Error).message}`, ExitCode.usage);
      }
      if (document.format !== snapshotFormat || document.node === undefined) {
        throw new CliError(`${file} is not a kvctl snapshot (format ${String(document.format)})`, ExitCode.usage);
      }
      let initialCluster: ReadonlyMap<string, readonly string[]>;
      try {
        initialCluster = parseInitialCluster(options.initialCluster ?? `${options.name}=${options.initialAdvertisePeerUrls}`);
      } catch (error) {
        throw new CliError((error as Error).message, ExitCode.usage);
      }
      try {
        const keys = await restoreDataDir({
          dataDir: options.dataDir, name: options.name, initialCluster,
          clusterToken: options.initialClusterToken, root: document.node,
          savedAtMs: Date.parse(document.savedAt ?? '') || 0,
        });
        process.stdout.write(`Restored ${keys} keys and directories into ${options.dataDir}; start it with: ` +
          `kvd --name ${options.name} --data-dir ${options.dataDir} --initial-cluster-token ${options.initialClusterToken}\n`);
      } catch (error) {
        throw new CliError((error as Error).message, ExitCode.usage);
      }
    });
}

interface RestoreFlags {
  readonly dataDir: string;
  readonly name: string;
  readonly initialCluster?: string;
  readonly initialAdvertisePeerUrls: string;
  readonly initialClusterToken: string;
}

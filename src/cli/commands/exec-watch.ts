// kvctl exec-watch KEY -- COMMAND: runs COMMAND once per change of KEY (or, with -r, of
// anything under it), one at a time, with the event in ETCD_WATCH_ACTION, ETCD_WATCH_KEY,
// ETCD_WATCH_VALUE and ETCD_WATCH_MODIFIED_INDEX as etcdctl sets them. Runs until interrupted
// (or --count events). Imports the context, watch-loop, run-command, help and duration.
import { Command } from 'commander';
import type { ContextOf } from '../context.js';
import { parseInteger } from '../duration.js';
import { UsageError } from '../exit-codes.js';
import { examples } from '../help.js';
import type { KeysAnswer } from '../keys-api.js';
import { startCommand } from '../run-command.js';
import { watchEvents } from '../watch-loop.js';
import { resyncNote } from './watch.js';

interface ExecWatchOptions {
  readonly afterIndex?: string;
  readonly recursive?: boolean;
  readonly count?: string;
}

export function registerExecWatch(program: Command, contextOf: ContextOf): void {
  program
    .command('exec-watch')
    .description('run a command on every change of a key')
    .argument('<key>', 'the key or directory')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('--after-index <index>', 'watch changes after this etcd index', '0')
    .option('-r, --recursive', 'watch everything under the directory')
    .option('--count <n>', 'stop after n events (default: run until interrupted)')
    .addHelpText(
      'after',
      examples(
        'exec-watch /config/a -- sh -c \'echo "$ETCD_WATCH_ACTION $ETCD_WATCH_VALUE"\'',
        'exec-watch -r /config -- ./reload.sh',
      ),
    )
    .action(async (key: string, argv: string[], options: ExecWatchOptions, command: Command) => {
      const context = contextOf(command);
      if (argv.length === 0) throw new UsageError('exec-watch: no command given (after --)');
      const after = parseInteger(options.afterIndex ?? '0', '--after-index', 0);
      const count =
        options.count === undefined ? Infinity : parseInteger(options.count, '--count', 1);
      const events = watchEvents(context.client, key, {
        recursive: options.recursive === true,
        ...(after > 0 ? { afterIndex: after } : {}),
        stop: context.stop,
        resync: resyncNote(context),
      });
      let seen = 0;
      for await (const event of events) {
        const run = await startCommand(
          argv,
          { ...context.io.env, ...eventEnv(event) },
          context.stop,
        );
        const code = await run.done;
        if (code !== 0) context.out.warn(`kvctl: ${argv[0]} exited with ${code}`);
        if (++seen >= count) return;
      }
    });
}

/** The variables etcdctl exec-watch sets for the command. */
export function eventEnv(event: KeysAnswer): Record<string, string> {
  return {
    ETCD_WATCH_ACTION: event.action,
    ETCD_WATCH_KEY: event.node.key ?? '',
    ETCD_WATCH_VALUE: event.node.value ?? '',
    ETCD_WATCH_MODIFIED_INDEX: String(event.node.modifiedIndex ?? ''),
  };
}

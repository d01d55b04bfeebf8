// kvctl verify: a bounded linearizability check against a live cluster. Runs the workload of
// verify-workload.ts for --duration on a fresh private prefix, deletes the prefix, checks the
// recorded history with checkLinearizable (src/check) and prints the verdict. Exit 0 only
// when the history is linearizable; 6 when it is not or the checker could not decide; 1 when
// no op succeeded at all (nothing was tested). Imports the context, verify-workload,
// check/linearizability, duration, help and exit-codes.
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import {
  checkLinearizable,
  describeResult,
  type CheckResult,
} from '../../check/linearizability.js';
import type { CliContext, ContextOf } from '../context.js';
import { formatMs, parseDurationMs, parseInteger } from '../duration.js';
import { ExitCode, UnreachableError } from '../exit-codes.js';
import { examples } from '../help.js';
import { keysRequest } from '../keys-api.js';
import { runWorkload, summarize, type WorkloadSummary } from '../verify-workload.js';

export const verifyPrefix = '/_kvctl/verify';

interface VerifyOptions {
  readonly duration: string;
  readonly clients: string;
  readonly keys: string;
  readonly seed?: string;
}

export function registerVerify(program: Command, contextOf: ContextOf): void {
  program
    .command('verify')
    .description('run a small mixed workload and check the history is linearizable')
    .option('--duration <duration>', 'how long to run the workload', '60s')
    .option('--clients <n>', 'concurrent clients, each preferring another member', '4')
    .option('--keys <n>', 'keys the clients share', '3')
    .option('--seed <n>', 'seed of the random op mix (printed when not given)')
    .addHelpText(
      'after',
      examples(
        'verify --duration 60s',
        '--endpoints http://127.0.0.1:2379,http://127.0.0.1:22379 verify --duration 10s',
      ) +
        '\nThe --timeout of each request bounds each op; a timed-out op counts as unknown.\n' +
        'Exit codes: 0 linearizable, 6 not linearizable (or undecided), 1 nothing succeeded.\n',
    )
    .action(async (options: VerifyOptions, command: Command) => {
      const context = contextOf(command);
      const durationMs = parseDurationMs(options.duration, '--duration');
      const clients = parseInteger(options.clients, '--clients', 1);
      const keys = parseInteger(options.keys, '--keys', 1);
      const seed =
        options.seed !== undefined
          ? parseInteger(options.seed, '--seed')
          : randomBytes(3).readUIntBE(0, 3);
      const prefix = `${verifyPrefix}/${randomBytes(6).toString('hex')}`;
      if (context.out.format === 'simple') {
        context.out.line(
          `verify: ${clients} clients, ${keys} keys under ${prefix}, ` +
            `${formatMs(durationMs)}, seed ${seed}`,
        );
      }
      const started = performance.now();
      const history = await runWorkload(context.client, {
        durationMs,
        clients,
        keys,
        prefix,
        seed,
        stop: context.stop,
      });
      const elapsedMs = performance.now() - started;
      await cleanUp(context, prefix);
      const summary = summarize(history);
      if (summary.ok === 0) {
        throw new UnreachableError(
          `verify: none of ${summary.ops} ops succeeded; nothing was checked`,
        );
      }
      const result = checkLinearizable(history);
      report(context, { result, summary, elapsedMs, clients, keys, prefix, seed });
      if (result.verdict !== 'linearizable') context.exitCode = ExitCode.notLinearizable;
    });
}

async function cleanUp(context: CliContext, prefix: string): Promise<void> {
  try {
    await keysRequest(context.client, 'DELETE', prefix, { recursive: true, dir: true });
  } catch (error) {
    context.out.warn(`kvctl: could not delete ${prefix}: ${(error as Error).message}`);
  }
}

interface Report {
  readonly result: CheckResult;
  readonly summary: WorkloadSummary;
  readonly elapsedMs: number;
  readonly clients: number;
  readonly keys: number;
  readonly prefix: string;
  readonly seed: number;
}

function report(context: CliContext, r: Report): void {
  const { result, summary: s } = r;
  const out = context.out;
  if (out.format === 'json') {
    return out.json({
      verdict: result.verdict,
      ops: s.ops,
      ok: s.ok,
      failed: s.failed,
      unknown: s.unknown,
      byKind: s.byKind,
      clients: r.clients,
      keys: r.keys,
      durationMs: Math.round(r.elapsedMs),
      prefix: r.prefix,
      seed: r.seed,
      ...(result.verdict === 'linearizable' ? {} : { explanation: describeResult(result) }),
    });
  }
  const kinds =
    `reads ${s.byKind.read}, writes ${s.byKind.write}, cas ${s.byKind.cas}, ` +
    `deletes ${s.byKind.delete}`;
  if (out.format === 'table') {
    out.table(
      ['VERDICT', 'OPS', 'OK', 'FAILED', 'UNKNOWN', 'CLIENTS', 'KEYS', 'DURATION'],
      [
        [
          result.verdict,
          String(s.ops),
          String(s.ok),
          String(s.failed),
          String(s.unknown),
          String(r.clients),
          String(r.keys),
          formatMs(r.elapsedMs),
        ],
      ],
    );
  } else {
    out.line(
      `verify: ${s.ops} ops in ${formatMs(r.elapsedMs)}: ${s.ok} ok, ${s.failed} failed, ` +
        `${s.unknown} unknown (${kinds})`,
    );
    out.line(
      `verify: ${result.verdict === 'not-linearizable' ? 'NOT LINEARIZABLE' : result.verdict}`,
    );
  }
  if (result.verdict !== 'linearizable') out.warn(describeResult(result));
}

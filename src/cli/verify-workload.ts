// The workload of kvctl verify: a few concurrent clients, each preferring a different member,
// run a random mix of quorum reads, writes, compare-and-swaps and deletes on a few keys under
// a private prefix, and every op is recorded (HistoryRecorder) with what its answer proves:
// 'ok', 'fail' (definitely did not apply), or 'unknown' (timeout, lost connection, or an
// error after which a write may still commit). Imports client, keys-api, exit-codes, lib/prng
// and check/history.
import { HistoryRecorder, type OpKind, type Operation } from '../check/history.js';
import { Prng } from '../lib/prng.js';
import type { KvClient } from './client.js';
import { CliError, EtcdCode, EtcdError } from './exit-codes.js';
import { keysRequest } from './keys-api.js';

export interface WorkloadOptions {
  readonly durationMs: number;
  readonly clients: number;
  readonly keys: number;
  /** Directory the keys live under; deleted afterwards by the caller. */
  readonly prefix: string;
  readonly seed: number;
  /** Ends the workload early (ops in flight still complete or time out). */
  readonly stop: AbortSignal;
}

/** Percentages of each kind in the mix (a cas needs a value to compare against). */
const mix: readonly [OpKind, number][] = [
  ['read', 40],
  ['write', 25],
  ['cas', 20],
  ['delete', 15],
];

export async function runWorkload(base: KvClient, options: WorkloadOptions): Promise<Operation[]> {
  const started = performance.now();
  const recorder = new HistoryRecorder(() => performance.now() - started);
  const keys = Array.from({ length: options.keys }, (_, i) => `${options.prefix}/k${i}`);
  const seen = new Map<string, string>(); // key -> a value recently written or read there
  const deadline = started + options.durationMs;
  const clients = Array.from({ length: options.clients }, async (_, c) => {
    const client = base.rotated(c);
    const random = new Prng(options.seed * 1000 + c);
    let n = 0;
    while (performance.now() < deadline && !options.stop.aborted) {
      const key = keys[random.int(keys.length)]!;
      const kind = pickKind(random.int(100), seen.has(key));
      await runOp({ client, recorder, seen, c, key, kind, value: `c${c}-${n++}` });
    }
  });
  await Promise.all(clients);
  return recorder.history();
}

function pickKind(roll: number, canCompare: boolean): OpKind {
  let sum = 0;
  for (const [kind, percent] of mix) {
    sum += percent;
    if (roll < sum) return kind === 'cas' && !canCompare ? 'write' : kind;
  }
  return 'read';
}

interface OpRun {
  readonly client: KvClient;
  readonly recorder: HistoryRecorder;
  readonly seen: Map<string, string>;
  readonly c: number;
  readonly key: string;
  readonly kind: OpKind;
  readonly value: string;
}

async function runOp(op: OpRun): Promise<void> {
  const { client, recorder, seen, c, key, kind, value } = op;
  const expected = kind === 'cas' ? seen.get(key) : undefined;
  const args =
    kind === 'write' || kind === 'cas' ? { value, ...(expected ? { expected } : {}) } : {};
  const id = recorder.invoke(c, key, kind, args);
  try {
    switch (kind) {
      case 'read': {
        const read = await keysRequest(client, 'GET', key, { quorum: true });
        const result = read.node.value ?? null;
        if (result !== null) seen.set(key, result);
        return recorder.complete(id, 'ok', result);
      }
      case 'write':
        await keysRequest(client, 'PUT', key, { value });
        seen.set(key, value);
        return recorder.complete(id, 'ok');
      case 'cas':
        await keysRequest(client, 'PUT', key, { value, prevValue: expected });
        seen.set(key, value);
        return recorder.complete(id, 'ok');
      case 'delete':
        await keysRequest(client, 'DELETE', key);
        return recorder.complete(id, 'ok');
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    settleFailure(recorder, id, kind, error);
  }
}

/** What an error proves about the op: a definite failure, or nothing (unknown). */
function settleFailure(recorder: HistoryRecorder, id: number, kind: OpKind, error: CliError): void {
  if (error instanceof EtcdError) {
    const code = error.errorCode;
    if (kind === 'read' && code === EtcdCode.keyNotFound) return recorder.complete(id, 'ok', null);
    if (kind === 'read') return recorder.complete(id, 'fail'); // no effect, nothing observed
    const definite =
      (kind === 'cas' && (code === EtcdCode.compareFailed || code === EtcdCode.keyNotFound)) ||
      (kind === 'delete' && code === EtcdCode.keyNotFound);
    if (definite) return recorder.complete(id, 'fail');
  }
  recorder.abandon(id); // a timeout, a lost connection, or 300/301: the write may still apply
}

export interface WorkloadSummary {
  readonly ops: number;
  readonly ok: number;
  readonly failed: number;
  readonly unknown: number;
  readonly byKind: Readonly<Record<OpKind, number>>;
}

export function summarize(history: readonly Operation[]): WorkloadSummary {
  const byKind: Record<OpKind, number> = { read: 0, write: 0, cas: 0, delete: 0 };
  let ok = 0;
  let failed = 0;
  for (const op of history) {
    byKind[op.kind]++;
    if (op.outcome === 'ok') ok++;
    else if (op.outcome === 'fail') failed++;
  }
  return { ops: history.length, ok, failed, unknown: history.length - ok - failed, byKind };
}

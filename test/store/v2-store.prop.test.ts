// Property tests of the v2 store (fast-check, seeded from KVD_SEED): apply is deterministic;
// snapshot/restore or takeChanges/load at any point, then continuing, gives the same results,
// the same watch deliveries and the same final state; paranoid invariant checks after every
// apply. Commands include expiry ticks from expiredKeys and malformed commands.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type V2Command, V2Error, type V2Event, V2Store } from '../../src/store/v2/index.js';
import { t0, testSeed } from './v2-helpers.js';

/** Which comparisons a cas/cad makes, resolved against the reference store when planned. */
interface CompareSpec {
  readonly value: boolean;
  readonly index: boolean;
  /** Compare with the key's current value/index (likely success) or with stale ones. */
  readonly match: boolean;
}

type PlannedCommand = Omit<V2Command, 'timeMs'> & { compare?: CompareSpec };

type Step =
  | { kind: 'command'; advanceMs: number; command: PlannedCommand }
  | { kind: 'expireTick'; advanceMs: number }
  | { kind: 'malformed' };

const pathArb = fc.constantFrom('/a', '/a', '/b', '/a/x', '/a/_h', '/d/e', '/');
const valueArb = fc.constantFrom('v1', 'v2', '');
const ttlArb = fc.constantFrom(null, null, null, 0, 2, 9);
const compareArb: fc.Arbitrary<CompareSpec> = fc
  .tuple(fc.nat(9), fc.constantFrom(true, true, false))
  .map(([kind, match]) => ({ value: kind % 3 !== 1, index: kind % 3 !== 0 && kind !== 9, match }));
const op = <T extends V2Command['op']>(name: T) => fc.constant(name);
const commandArb: fc.Arbitrary<PlannedCommand> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constantFrom('set', 'set', 'create', 'update', 'update', 'post'),
      path: pathArb,
      value: valueArb,
      dir: fc.constantFrom(false, false, false, true),
      ttlSeconds: ttlArb,
      refresh: fc.constantFrom(false, false, false, false, true),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: op('cas'),
      path: pathArb,
      value: valueArb,
      ttlSeconds: ttlArb,
      refresh: fc.constantFrom(false, false, true),
      compare: compareArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: op('delete'),
      path: pathArb,
      dir: fc.boolean(),
      recursive: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: op('cad'), path: pathArb, compare: compareArb }) },
  { weight: 1, arbitrary: fc.record({ op: op('expire'), path: pathArb }) },
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('command' as const),
      advanceMs: fc.nat(2500),
      command: commandArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('expireTick' as const), advanceMs: fc.nat(4000) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'malformed' as const }) },
);

const stepsArb = fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'medium' });

/** Fills in a cas/cad's prevValue/prevIndex from the reference store's current node. */
function resolveCompare(planned: PlannedCommand, reference: V2Store): Omit<V2Command, 'timeMs'> {
  const { compare, ...command } = planned;
  if (compare === undefined) return command;
  const read = reference.get(command.path, { nowMs: t0 });
  const node = read instanceof V2Error ? undefined : read.node;
  const value = node?.value ?? 'v1';
  const index = node?.modifiedIndex ?? 1;
  const prevValue = compare.match ? value : `${value}-stale`;
  const prevIndex = compare.match ? index : index + 1;
  if (compare.value && compare.index) return { ...command, prevValue, prevIndex };
  if (compare.value) return { ...command, prevValue };
  if (compare.index) return { ...command, prevIndex };
  return command; // refused: a compare needs prevValue or prevIndex
}

/** Turns steps into concrete commands, using `reference` (applied as we go) for expiry ticks. */
function planCommands(steps: readonly Step[], reference: V2Store): V2Command[] {
  const commands: V2Command[] = [];
  let timeMs = t0;
  const push = (command: V2Command) => {
    commands.push(command);
    reference.apply(commands.length, command);
  };
  for (const step of steps) {
    if (step.kind === 'malformed') {
      push({ op: 'set', path: 5, timeMs } as unknown as V2Command);
      continue;
    }
    timeMs += step.advanceMs;
    if (step.kind === 'command') push({ ...resolveCompare(step.command, reference), timeMs });
    else for (const path of reference.expiredKeys(timeMs)) push({ op: 'expire', path, timeMs });
  }
  return commands;
}

function describeResult(result: V2Error | { json: string; etcdIndex: number }): string {
  return result instanceof V2Error ? `error ${result.json}` : `${result.etcdIndex} ${result.json}`;
}

/** A store with a recursive stream watcher on the root that logs every delivery. */
function watchedStore(store: V2Store, log: string[]): V2Store {
  store.watch({ path: '/', recursive: true, stream: true }, (delivery) => {
    log.push(describeResult(delivery));
  });
  return store;
}

function applyAll(store: V2Store, commands: readonly V2Command[], from: number, to: number) {
  const results: string[] = [];
  for (let i = from; i < to; i++) results.push(describeResult(store.apply(i + 1, commands[i]!)));
  return results;
}

const reads = (store: V2Store): string[] =>
  ['/', '/a', '/a/_h', '/d/e'].map((path) => {
    const result = store.get(path, { recursive: true, sorted: false, nowMs: t0 + 30_000 });
    return describeResult(result);
  });

const runs = { seed: testSeed(), numRuns: 150 };

describe('v2 store: properties', () => {
  it('v2 store: determinism: two stores fed the same commands agree on everything', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        const commands = planCommands(steps, new V2Store({ historyEventsMax: 8 }));
        const logs: [string[], string[]] = [[], []];
        const stores = logs.map((log) =>
          watchedStore(new V2Store({ historyEventsMax: 8, paranoid: true }), log),
        );
        const results = stores.map((store) => applyAll(store, commands, 0, commands.length));
        expect(results[1]).toEqual(results[0]);
        expect(logs[1]).toEqual(logs[0]);
        expect(stores[1]!.snapshot()).toEqual(stores[0]!.snapshot());
        expect(reads(stores[1]!)).toEqual(reads(stores[0]!));
        expect(stores[1]!.expiredKeys(t0 + 1e7)).toEqual(stores[0]!.expiredKeys(t0 + 1e7));
      }),
      runs,
    );
  });

  it('v2 store: snapshot: restoring at any point and continuing changes nothing', () => {
    fc.assert(
      fc.property(stepsArb, fc.nat(), (steps, cut) => {
        const commands = planCommands(steps, new V2Store({ historyEventsMax: 8 }));
        const k = cut % (commands.length + 1);
        const referenceLog: string[] = [];
        const reference = watchedStore(new V2Store({ historyEventsMax: 8 }), referenceLog);
        const expected = applyAll(reference, commands, 0, commands.length);
        const first = new V2Store({ historyEventsMax: 8 });
        applyAll(first, commands, 0, k);
        const restoredLog: string[] = [];
        const restored = new V2Store({ paranoid: true });
        restored.restore(first.snapshot(), k);
        watchedStore(restored, restoredLog);
        const indexAtCut = restored.etcdIndex;
        expect(applyAll(restored, commands, k, commands.length)).toEqual(expected.slice(k));
        expect(restored.snapshot()).toEqual(reference.snapshot());
        const afterCut = (line: string) => Number(line.split(' ')[0]) > indexAtCut;
        expect(restoredLog).toEqual(referenceLog.filter(afterCut));
      }),
      runs,
    );
  });

  it('v2 store: load: rebuilding from records at any point and continuing changes nothing', () => {
    fc.assert(
      fc.property(stepsArb, fc.nat(), (steps, cut) => {
        const commands = planCommands(steps, new V2Store({ historyEventsMax: 8 }));
        const k = cut % (commands.length + 1);
        const reference = new V2Store({ historyEventsMax: 8 });
        const expected = applyAll(reference, commands, 0, commands.length);
        const source = new V2Store({ historyEventsMax: 8 });
        const disk = new Map<string, Uint8Array>();
        for (let i = 0; i < k; i++) {
          source.apply(i + 1, commands[i]!);
          const changes = source.takeChanges();
          for (const key of changes.deletes) disk.delete(key);
          for (const [key, value] of changes.puts) disk.set(key, value);
        }
        const loaded = V2Store.load(disk, { historyEventsMax: 8, paranoid: true });
        expect(loaded.snapshot()).toEqual(source.snapshot());
        expect(applyAll(loaded, commands, k, commands.length)).toEqual(expected.slice(k));
        expect(loaded.snapshot()).toEqual(reference.snapshot());
      }),
      runs,
    );
  });

  it('v2 store: reads: every successful write is what a read of its key then shows', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        const store = new V2Store({ paranoid: true });
        const commands = planCommands(steps, new V2Store());
        commands.forEach((command, i) => {
          const result = store.apply(i + 1, command);
          if (result instanceof V2Error) return;
          const read = store.get(result.key, { nowMs: command.timeMs });
          const removed = ['delete', 'compareAndDelete', 'expire'].includes(result.action);
          if (removed) {
            expect(read).toBeInstanceOf(V2Error);
            return;
          }
          expect(read).not.toBeInstanceOf(V2Error);
          const { nodes: _nodes, ...node } = (read as V2Event).node;
          expect(node).toEqual(result.node);
        });
      }),
      runs,
    );
  });
});

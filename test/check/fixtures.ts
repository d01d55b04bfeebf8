// Test helpers for the checker: HistoryBuilder for hand-written histories, and a reference
// executor that turns a plan of timed ops into a true history by running it on a real Map,
// plus fast-check arbitraries and seeded random plans for it. Used only by *.test.ts here.

import fc from 'fast-check';
import { Prng } from '../../src/lib/prng.js';
import type { OpKind, Operation, Outcome } from '../../src/check/history.js';

/** [invoke, complete]; complete null means the op's outcome is unknown. */
export type Span = readonly [number, number | null];

/** Builds a history by hand, one op per call; ids count from 1 in call order. */
export class HistoryBuilder {
  private readonly ops: Operation[] = [];
  private currentKey: string;

  constructor(key = 'k') {
    this.currentKey = key;
  }

  /** Later ops go to `key`. */
  on(key: string): this {
    this.currentKey = key;
    return this;
  }

  read(client: number, result: string | null, span: Span): this {
    return this.add(client, 'read', span, 'ok', { result });
  }

  write(client: number, value: string, span: Span, outcome?: Outcome): this {
    return this.add(client, 'write', span, outcome, { value });
  }

  cas(client: number, expected: string, value: string, span: Span, outcome?: Outcome): this {
    return this.add(client, 'cas', span, outcome, { expected, value });
  }

  del(client: number, span: Span, outcome?: Outcome): this {
    return this.add(client, 'delete', span, outcome, {});
  }

  build(): Operation[] {
    return [...this.ops];
  }

  private add(
    client: number,
    kind: OpKind,
    [invokeTime, completeTime]: Span,
    outcome: Outcome | undefined,
    extra: Partial<Operation>,
  ): this {
    const decided: Outcome = outcome ?? (completeTime === null ? 'unknown' : 'ok');
    const id = this.ops.length + 1;
    const op = { id, client, key: this.currentKey, kind, invokeTime, completeTime, ...extra };
    this.ops.push({ ...op, outcome: decided });
    return this;
  }
}

/**
 * What happens to a planned op: 'ok' it takes effect and its reply arrives; 'lost' it never
 * takes effect and no reply arrives; 'silent' it takes effect but no reply arrives.
 */
export type Fate = 'ok' | 'lost' | 'silent';

/** One op of a plan: its client waits `gap`, invokes, takes effect `toApply` later, replies. */
export interface PlannedOp {
  readonly client: number;
  readonly key: number;
  readonly kind: OpKind;
  readonly value: number;
  readonly expected: number;
  readonly gap: number;
  readonly toApply: number;
  readonly toReply: number;
  readonly fate: Fate;
}

interface Timed {
  readonly index: number;
  readonly plan: PlannedOp;
  readonly invoke: number;
  readonly apply: number;
  readonly complete: number;
}

function schedule(plan: readonly PlannedOp[]): Timed[] {
  const free = new Map<number, number>();
  return plan.map((p, index) => {
    const invoke = (free.get(p.client) ?? 0) + p.gap;
    const apply = invoke + p.toApply;
    const complete = apply + p.toReply;
    free.set(p.client, complete + 1);
    return { index, plan: p, invoke, apply, complete };
  });
}

/** Applies one op to the map; returns its outcome and (for a read) the value read. */
function apply(map: Map<string, string>, key: string, p: PlannedOp): [Outcome, string | null] {
  const value = `v${p.value}`;
  switch (p.kind) {
    case 'read':
      return ['ok', map.get(key) ?? null];
    case 'write':
      map.set(key, value);
      return ['ok', null];
    case 'cas':
      if (map.get(key) !== `v${p.expected}`) return ['fail', null];
      map.set(key, value);
      return ['ok', null];
    case 'delete':
      return [map.delete(key) ? 'ok' : 'fail', null];
  }
}

/**
 * The true history of `plan`: every op takes effect atomically at its apply time (ties in
 * plan order) on a real Map, inside its [invoke, complete] window. Lost and silent ops are
 * recorded as unknown.
 */
export function execute(plan: readonly PlannedOp[]): Operation[] {
  const timed = schedule(plan);
  const map = new Map<string, string>();
  const byApply = [...timed].sort((a, b) => a.apply - b.apply || a.index - b.index);
  const ops: Operation[] = new Array(timed.length);
  for (const t of byApply) {
    const p = t.plan;
    const key = `k${p.key}`;
    const [outcome, read] = p.fate === 'lost' ? (['unknown', null] as const) : apply(map, key, p);
    const base = { id: t.index, client: p.client, key, kind: p.kind, invokeTime: t.invoke };
    const args = {
      ...(p.kind === 'write' || p.kind === 'cas' ? { value: `v${p.value}` } : {}),
      ...(p.kind === 'cas' ? { expected: `v${p.expected}` } : {}),
    };
    if (p.fate !== 'ok') {
      ops[t.index] = { ...base, ...args, completeTime: null, outcome: 'unknown' };
    } else {
      const result = p.kind === 'read' ? { result: read } : {};
      ops[t.index] = { ...base, ...args, completeTime: t.complete, outcome, ...result };
    }
  }
  return ops;
}

const KINDS: readonly OpKind[] = ['read', 'write', 'cas', 'delete'];

/** Plans of ops over `clients` clients and `keys` keys, small value alphabet, some unknown. */
export function planArb(clients: number, keys: number, maxOps: number): fc.Arbitrary<PlannedOp[]> {
  const fate = fc.oneof(
    { weight: 10, arbitrary: fc.constant<Fate>('ok') },
    { weight: 1, arbitrary: fc.constant<Fate>('lost') },
    { weight: 1, arbitrary: fc.constant<Fate>('silent') },
  );
  const op = fc.record({
    client: fc.nat(clients - 1),
    key: fc.nat(keys - 1),
    kind: fc.constantFrom(...KINDS),
    value: fc.nat(3),
    expected: fc.nat(3),
    gap: fc.nat(3),
    toApply: fc.nat(6),
    toReply: fc.nat(6),
    fate,
  });
  return fc.array(op, { minLength: 1, maxLength: maxOps });
}

/**
 * Arbitrary small single-key histories, true or not: random kinds, values from a tiny
 * alphabet, times, outcomes and read results. For comparison with a brute-force oracle.
 */
export function arbitraryHistoryArb(maxOps: number): fc.Arbitrary<Operation[]> {
  const value = fc.constantFrom('a', 'b', 'c');
  const op = fc.record({
    kind: fc.constantFrom(...KINDS),
    value,
    expected: value,
    result: fc.option(value, { nil: null }),
    invoke: fc.nat(12),
    duration: fc.nat(6),
    outcome: fc.constantFrom<Outcome>('ok', 'ok', 'fail', 'unknown'),
  });
  return fc.array(op, { maxLength: maxOps }).map((ops) =>
    ops.map((o, id): Operation => {
      const completeTime = o.outcome === 'unknown' ? null : o.invoke + o.duration;
      const base = { id, client: id, key: 'k', kind: o.kind, invokeTime: o.invoke, completeTime };
      const withOutcome = { ...base, outcome: o.outcome };
      switch (o.kind) {
        case 'read':
          return o.outcome === 'ok' ? { ...withOutcome, result: o.result } : withOutcome;
        case 'write':
          return { ...withOutcome, value: o.value };
        case 'cas':
          return { ...withOutcome, value: o.value, expected: o.expected };
        case 'delete':
          return withOutcome;
      }
    }),
  );
}

export interface RandomPlanShape {
  readonly ops: number;
  readonly clients: number;
  readonly keys: number;
  /** Chance that an op's reply is lost (half of those still take effect). */
  readonly unknownRate: number;
  /** Size of the value alphabet (default 4: values repeat and cas often succeeds). */
  readonly values?: number;
}

/** A seeded random plan, for histories too big for fast-check to be useful on. */
export function randomPlan(seed: number, shape: RandomPlanShape): PlannedOp[] {
  const random = new Prng(seed);
  return Array.from({ length: shape.ops }, () => {
    const unknown = random.chance(shape.unknownRate);
    const fate: Fate = !unknown ? 'ok' : random.chance(0.5) ? 'lost' : 'silent';
    return {
      client: random.int(shape.clients),
      key: random.int(shape.keys),
      kind: random.pick(KINDS),
      value: random.int(shape.values ?? 4),
      expected: random.int(shape.values ?? 4),
      gap: random.int(4),
      toApply: random.int(8),
      toReply: random.int(8),
      fate,
    };
  });
}

/** fast-check parameters: a fixed seed from KVD_SEED when set (fast-check prints its seed). */
export function fcParams(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env['KVD_SEED'];
  return seed === undefined || seed === '' ? { numRuns } : { numRuns, seed: Number(seed) };
}

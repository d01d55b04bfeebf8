// The shape of a recorded key/value history (Operation) and the checks that one is well formed;
// HistoryRecorder, which builds a history from live invoke/complete calls stamped by a
// caller-supplied clock; describeHistory, which prints ops one per line for failure reports.
// Imports nothing.

export type OpKind = 'read' | 'write' | 'cas' | 'delete';
export type Outcome = 'ok' | 'fail' | 'unknown';

export interface Operation {
  readonly id: number; // unique per history
  readonly client: number; // each client has at most one op outstanding
  readonly key: string;
  readonly kind: OpKind;
  readonly value?: string; // write: value written; cas: new value
  readonly expected?: string; // cas: value compared against (key must exist with it)
  readonly invokeTime: number; // any monotonic number (ticks, ms)
  readonly completeTime: number | null; // null when outcome is 'unknown' (timed out / lost)
  readonly outcome: Outcome;
  // 'ok' read: the value read, or null if the key was absent.
  readonly result?: string | null;
}

/** What an invocation carries: `value` for write and cas, `expected` for cas. */
export interface OpArgs {
  readonly value?: string;
  readonly expected?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The problems that make `history` unusable, one sentence each; empty when well formed. */
export function validateHistory(history: readonly Operation[]): string[] {
  const problems: string[] = [];
  const ids = new Set<number>();
  for (const op of history) {
    if (ids.has(op.id)) problems.push(`op #${op.id}: duplicate id`);
    ids.add(op.id);
    for (const problem of opProblems(op)) problems.push(`op #${op.id}: ${problem}`);
  }
  return problems;
}

function opProblems(op: Operation): string[] {
  const out: string[] = [];
  if (!Number.isFinite(op.invokeTime)) out.push('invokeTime is not a finite number');
  if (op.outcome === 'unknown') {
    if (op.completeTime !== null) out.push('an unknown op must have completeTime null');
  } else if (op.completeTime === null) {
    out.push(`an op with outcome '${op.outcome}' needs a completeTime`);
  } else if (!(op.completeTime >= op.invokeTime)) {
    out.push(`completes (${op.completeTime}) before it was invoked (${op.invokeTime})`);
  }
  if ((op.kind === 'write' || op.kind === 'cas') && typeof op.value !== 'string') {
    out.push(`${op.kind} needs a string value`);
  }
  if (op.kind === 'cas' && typeof op.expected !== 'string') out.push('cas needs an expected');
  if (op.kind === 'read' && op.outcome === 'ok' && op.result === undefined) {
    out.push('an ok read needs a result (a string, or null for absent)');
  }
  return out;
}

/**
 * Builds a history as a client harness runs: invoke() when a request is sent, complete() when
 * its reply arrives, abandon() when the harness gives up on it (timeout, lost connection).
 * Every time is read from `clock`, which must never go backwards (simulator ticks, ms).
 */
export class HistoryRecorder {
  private readonly ops: Mutable<Operation>[] = [];
  private readonly byId = new Map<number, Mutable<Operation>>();
  private readonly outstanding = new Map<number, number>(); // client -> op id
  private nextId: number;
  private lastTime = -Infinity;

  constructor(
    private readonly clock: () => number,
    firstId = 0,
  ) {
    this.nextId = firstId;
  }

  /** Records that `client` sent a request; returns the op's id. */
  invoke(client: number, key: string, kind: OpKind, args: OpArgs = {}): number {
    const busy = this.outstanding.get(client);
    if (busy !== undefined) {
      throw new Error(`client ${client} invoked a ${kind} while op #${busy} is outstanding`);
    }
    const op: Mutable<Operation> = {
      id: this.nextId++,
      client,
      key,
      kind,
      invokeTime: this.now(),
      completeTime: null,
      outcome: 'unknown',
    };
    if (args.value !== undefined) op.value = args.value;
    if (args.expected !== undefined) op.expected = args.expected;
    const asDone = { ...op, outcome: 'ok', completeTime: op.invokeTime, result: null } as const;
    const problems = opProblems(asDone);
    if (problems.length > 0) throw new Error(`invoke ${kind}: ${problems.join('; ')}`);
    this.ops.push(op);
    this.byId.set(op.id, op);
    this.outstanding.set(client, op.id);
    return op.id;
  }

  /** Records the definite reply to op `id`; an 'ok' read passes the value read (null: absent). */
  complete(id: number, outcome: 'ok' | 'fail', result?: string | null): void {
    const op = this.outstandingOp(id, 'complete');
    const readOk = op.kind === 'read' && outcome === 'ok';
    if (readOk && result === undefined) {
      throw new Error(`complete #${id}: an ok read needs a result`);
    }
    if (!readOk && result !== undefined) {
      throw new Error(`complete #${id}: only an ok read carries a result`);
    }
    op.completeTime = this.now();
    this.outstanding.delete(op.client);
    if (readOk) op.result = result;
    op.outcome = outcome;
  }

  /** Gives up on op `id`: it stays 'unknown' (may or may not take effect); its client is free. */
  abandon(id: number): void {
    this.outstanding.delete(this.outstandingOp(id, 'abandon').client);
  }

  /** Ids of ops invoked but neither completed nor abandoned, oldest first. */
  pendingIds(): number[] {
    return [...this.outstanding.values()].sort((a, b) => a - b);
  }

  /** A copy of the history so far; ops still outstanding appear with outcome 'unknown'. */
  history(): Operation[] {
    return this.ops.map((op) => ({ ...op }));
  }

  private outstandingOp(id: number, what: string): Mutable<Operation> {
    const op = this.byId.get(id);
    if (op === undefined) throw new Error(`${what} #${id}: no such op`);
    if (this.outstanding.get(op.client) !== id) {
      throw new Error(`${what} #${id}: op is no longer outstanding`);
    }
    return op;
  }

  private now(): number {
    const time = this.clock();
    if (!Number.isFinite(time)) throw new Error(`clock returned ${time}`);
    if (time < this.lastTime) throw new Error(`clock went backwards: ${time} < ${this.lastTime}`);
    this.lastTime = time;
    return time;
  }
}

/** A value as printed in reports: JSON-quoted and shortened, or null for an absent key. */
export function showValue(value: string | null | undefined): string {
  if (value === null) return 'null';
  if (value === undefined) return '(missing)';
  const quoted = JSON.stringify(value);
  return quoted.length <= 40 ? quoted : `${quoted.slice(0, 36)}…" (${value.length} chars)`;
}

function describeAction(op: Operation): string {
  switch (op.kind) {
    case 'read':
      return op.outcome === 'ok' ? `read -> ${showValue(op.result ?? null)}` : 'read';
    case 'write':
      return `write ${showValue(op.value)}`;
    case 'cas':
      return `cas ${showValue(op.expected)} -> ${showValue(op.value)}`;
    case 'delete':
      return 'delete';
  }
}

function columns(op: Operation, withKey: boolean): string[] {
  return [
    `#${op.id}`,
    `c${op.client}`,
    ...(withKey ? [`key ${showValue(op.key)}`] : []),
    describeAction(op),
    `[${op.invokeTime}, ${op.completeTime ?? '?'}]`,
    op.outcome,
  ];
}

/** One line for `op`: id, client, key, kind with values, [invoke, complete], outcome. */
export function describeOp(op: Operation): string {
  return columns(op, true).join(' ');
}

/**
 * The ops one per line in invoke order, columns aligned: id, client, kind and values,
 * [invoke, complete] ('?' when unknown), outcome. A shared key is named once, in a header.
 */
export function describeHistory(ops: readonly Operation[]): string {
  const sorted = [...ops].sort((a, b) => a.invokeTime - b.invokeTime || a.id - b.id);
  const key = sorted[0]?.key;
  const oneKey = sorted.every((op) => op.key === key);
  const rows = sorted.map((op) => columns(op, !oneKey));
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  const lines = rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
  );
  const header = oneKey && key !== undefined ? [`key ${showValue(key)}:`] : [];
  return [...header, ...lines.map((line) => `  ${line}`)].join('\n');
}

// Concurrent clients, each with its own HTTP agent and seeded PRNG, running quorum reads, writes,
// compare-and-swaps and deletes against random members, one op at a time, into one history.
// Keys rotate (as Jepsen's independent keys): a key retires after opsPerKeyMax ops, which keeps
// every key's history small enough for the linearizability search.
import http from 'node:http';
import type { Prng } from '../../src/lib/prng.js';
import { HistoryRecorder, type OpKind, type Operation } from '../../src/check/history.js';
import { runOp, type ClientOp, type Verdict } from './client-ops.js';

export interface WorkloadSettings {
  readonly clients: number;
  /** Keys in use at once. */
  readonly activeKeys: number;
  readonly opsPerKeyMax: number;
  readonly timeoutMs: number;
  readonly thinkMsMax: number;
}

/** An acknowledged change: what it wrote and the etcd index kvd answered with. */
export interface AckedChange {
  readonly opId: number;
  readonly key: string;
  readonly kind: 'write' | 'cas' | 'delete';
  readonly value: string | null;
  readonly index: number;
}

export type OutcomeCounts = Record<OpKind, Record<Verdict['outcome'], number>>;

/** How one op went, beyond the history: where it ran and why it was not ok. */
export interface OpNote {
  readonly member: string;
  readonly why: string;
}

/** After a refused connection (member down) a client waits this long before its next op. */
const refusedPauseMs = 100;
/** Values remembered per key for compare-and-swap expectations. */
const recentValuesMax = 3;

interface KeySlot { key: string; ops: number; recent: string[] }

class KeySpace {
  readonly used: string[] = [];
  private readonly slots: KeySlot[] = [];
  private nextKey = 0;

  constructor(private readonly activeKeys: number, private readonly opsPerKeyMax: number) {
    for (let i = 0; i < activeKeys; i++) this.slots.push(this.fresh());
  }

  /** A slot for one more op; a slot that reached opsPerKeyMax gets a fresh key afterwards. */
  take(random: Prng): KeySlot {
    const index = random.int(this.activeKeys);
    const slot = this.slots[index] as KeySlot;
    slot.ops++;
    if (slot.ops >= this.opsPerKeyMax) this.slots[index] = this.fresh();
    return slot;
  }

  private fresh(): KeySlot {
    const key = `/jepsen/k${this.nextKey++}`;
    this.used.push(key);
    return { key, ops: 0, recent: [] };
  }
}

export class Workload {
  readonly recorder: HistoryRecorder;
  readonly acked: AckedChange[] = [];
  readonly counts: OutcomeCounts = {
    read: zeroCounts(), write: zeroCounts(), cas: zeroCounts(), delete: zeroCounts(),
  };
  readonly notes = new Map<number, OpNote>();
  /** Ops that did not apply and observed nothing: left out of the history. */
  private readonly rejected = new Set<number>();
  private readonly keys: KeySpace;
  private readonly loops: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly settings: WorkloadSettings,
    private readonly memberUrls: readonly string[],
    private readonly randoms: readonly Prng[],
    clock: () => number,
  ) {
    if (randoms.length < settings.clients) throw new Error('one PRNG per client is needed');
    this.recorder = new HistoryRecorder(clock);
    this.keys = new KeySpace(settings.activeKeys, settings.opsPerKeyMax);
  }

  get usedKeys(): readonly string[] {
    return this.keys.used;
  }

  start(): void {
    for (let client = 0; client < this.settings.clients; client++) {
      this.loops.push(this.clientLoop(client, this.randoms[client] as Prng));
    }
  }

  /** Stops issuing ops and waits for every op in flight (each ends within its timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  /** The recorded history without rejected ops (they had no effect and observed nothing). */
  history(): Operation[] {
    return this.recorder.history().filter((op) => !this.rejected.has(op.id));
  }

  /**
   * Reads every key ever used, as client `client` (after the cluster healed): these reads end the
   * history, so a lost acknowledged write shows as a read no order explains. Retries failures
   * on the next member until `budgetMs` has passed; returns how many keys stayed unread.
   */
  async finalReads(client: number, budgetMs: number): Promise<number> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const deadline = Date.now() + budgetMs;
    let unread = 0;
    for (const [i, key] of this.keys.used.entries()) {
      let done = false;
      for (let attempt = 0; !done && Date.now() < deadline; attempt++) {
        const url = this.memberUrls[(i + attempt) % this.memberUrls.length] as string;
        done = (await this.perform(client, url, { kind: 'read', key }, agent)).outcome === 'ok';
      }
      if (!done) unread++;
    }
    agent.destroy();
    return unread;
  }

  private async clientLoop(client: number, random: Prng): Promise<void> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let sequence = 0;
    while (!this.stopped) {
      const url = random.pick(this.memberUrls);
      const op = this.generate(random, `${client}.${sequence++}`);
      const verdict = await this.perform(client, url, op, agent);
      const refused = verdict.outcome === 'rejected' && verdict.why === 'connection refused';
      await sleep(refused ? refusedPauseMs : random.int(this.settings.thinkMsMax + 1));
    }
    agent.destroy();
  }

  private generate(random: Prng, value: string): ClientOp {
    const slot = this.keys.take(random);
    const roll = random.next();
    if (roll < 0.4) return { kind: 'read', key: slot.key };
    if (roll < 0.9 && roll >= 0.65 && slot.recent.length > 0) {
      const expected = random.pick(slot.recent);
      this.remember(slot, value);
      return { kind: 'cas', key: slot.key, value, expected };
    }
    if (roll < 0.9) {
      this.remember(slot, value);
      return { kind: 'write', key: slot.key, value };
    }
    return { kind: 'delete', key: slot.key };
  }

  private remember(slot: KeySlot, value: string): void {
    slot.recent.push(value);
    if (slot.recent.length > recentValuesMax) slot.recent.shift();
  }

  private async perform(client: number, url: string, op: ClientOp, agent: http.Agent):
    Promise<Verdict> {
    const args = { ...(op.value !== undefined ? { value: op.value } : {}),
      ...(op.expected !== undefined ? { expected: op.expected } : {}) };
    const id = this.recorder.invoke(client, op.key, op.kind, args);
    const verdict = await runOp(url, op, agent, this.settings.timeoutMs);
    this.counts[op.kind][verdict.outcome]++;
    this.notes.set(id, { member: url, why: verdict.outcome === 'ok' ? 'ok' : verdict.why });
    if (verdict.outcome === 'unknown') {
      this.recorder.abandon(id);
    } else if (verdict.outcome === 'rejected') {
      this.rejected.add(id);
      this.recorder.abandon(id);
    } else if (verdict.outcome === 'fail') {
      this.recorder.complete(id, 'fail');
    } else if (op.kind === 'read') {
      this.recorder.complete(id, 'ok', verdict.result ?? null);
    } else {
      this.recorder.complete(id, 'ok');
      if (verdict.index !== undefined) {
        const { key, kind } = op;
        this.acked.push({ opId: id, key, kind, value: op.value ?? null, index: verdict.index });
      }
    }
    return verdict;
  }
}

function zeroCounts(): Record<Verdict['outcome'], number> {
  return { ok: 0, fail: 0, rejected: 0, unknown: 0 };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

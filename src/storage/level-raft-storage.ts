// RaftStorage on LevelDB (the `level` package): one database per member, keys ordered by
// index under fixed prefixes. Checks term/index continuity when reading back at start, and
// refuses to open a database with missing or corrupt records. Imports level and src/raft.
import { existsSync } from 'node:fs';
import { Level } from 'level';
import { assert } from '../lib/assert.js';
import { EMPTY_CONF, type Entry, type HardState, type PersistWork, type Snapshot } from '../raft/index.js';
import type { StateChanges } from '../store/state-machine.js';
import { StorageCorruptError, type LoadedState, type MemberIdentity, type RaftStorage } from './raft-storage.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';

const keys = {
  identity: 'm/identity',
  hardState: 'r/hard',
  snapshotMeta: 'r/snap-meta',
  snapshotData: 'r/snap-data',
  applied: 's/applied',
  logPrefix: 'r/log/',
  recordPrefix: 's/r/',
};

function logKey(index: number): string {
  return keys.logPrefix + index.toString(16).padStart(16, '0');
}


type Operation =
  | { type: 'put'; key: string; value: Uint8Array }
  | { type: 'del'; key: string };

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
const json = (value: unknown): Uint8Array => textEncoder.encode(JSON.stringify(value));
const parse = <T>(bytes: Uint8Array): T => JSON.parse(textDecoder.decode(bytes)) as T;

export class LevelRaftStorage implements RaftStorage {
  private readonly db: Level<string, Uint8Array>;
  /** The last log index on disk, to delete a truncated suffix. */
  private lastIndex = 0;
  private firstIndex = 1;
  /** Test hook: a delay before each synced write, to model a slow disk. */
  fsyncDelayMs = 0;

  constructor(readonly path: string) {
    this.db = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' });
  }

  async open(): Promise<void> {
    await this.db.open();
  }

  async load(): Promise<LoadedState> {
    const identityBytes = await this.db.get(keys.identity);
    const hardBytes = await this.db.get(keys.hardState);
    const metaBytes = await this.db.get(keys.snapshotMeta);
    const dataBytes = await this.db.get(keys.snapshotData);
    const appliedBytes = await this.db.get(keys.applied);
    const hardState: HardState = hardBytes ? parse<HardState>(hardBytes) : { term: 0, vote: '', commit: 0 };
    const snapshot: Snapshot = metaBytes
      ? { meta: parse<Snapshot['meta']>(metaBytes), data: dataBytes ?? new Uint8Array(0) }
      : { meta: { index: 0, term: 0, conf: EMPTY_CONF }, data: new Uint8Array(0) };
    const entries = await this.readLog(snapshot.meta.index);
    const records: [string, Uint8Array][] = [];
    for await (const [key, value] of this.db.iterator({ gte: keys.recordPrefix, lt: keys.recordPrefix + '\xff' })) {
      records.push([key.slice(keys.recordPrefix.length), value]);
    }
    const applied = appliedBytes ? parse<number>(appliedBytes) : snapshot.meta.index;
    this.checkLoaded(hardState, snapshot, entries, applied);
    this.firstIndex = snapshot.meta.index + 1;
    this.lastIndex = snapshot.meta.index + entries.length;
    return {
      identity: identityBytes ? parse<MemberIdentity>(identityBytes) : null,
      hardState, snapshot, entries, applied, records,
    };
  }

  private async readLog(snapshotIndex: number): Promise<Entry[]> {
    const entries: Entry[] = [];
    let expected = snapshotIndex + 1;
    for await (const [key, value] of this.db.iterator({ gte: logKey(expected), lt: keys.logPrefix + '\xff' })) {
      const entry = decodeEntry(value);
      if (logKey(entry.index) !== key || entry.index !== expected) {
        throw new StorageCorruptError(`log entry under ${key} has index ${entry.index}, expected ${expected}`);
      }
      entries.push(entry);
      expected++;
    }
    return entries;
  }

  private checkLoaded(hard: HardState, snapshot: Snapshot, entries: readonly Entry[], applied: number): void {
    const last = snapshot.meta.index + entries.length;
    let term = snapshot.meta.term;
    for (const entry of entries) {
      if (entry.term < term) throw new StorageCorruptError(`log entry ${entry.index} term ${entry.term} < ${term}`);
      term = entry.term;
    }
    if (hard.term < term) throw new StorageCorruptError(`hard state term ${hard.term} < last log term ${term}`);
    if (applied > last) throw new StorageCorruptError(`state machine applied ${applied} beyond log end ${last}`);
  }

  async saveIdentity(identity: MemberIdentity): Promise<void> {
    await this.db.put(keys.identity, json(identity), { sync: true });
  }

  /** Test hook: while this file exists, every write fails as a full disk would. */
  failWritesWhileExists: string | null = null;

  async persist(work: PersistWork): Promise<void> {
    if (this.failWritesWhileExists !== null && existsSync(this.failWritesWhileExists)) {
      throw Object.assign(new Error('ENOSPC: no space left on device (test hook)'), { code: 'ENOSPC' });
    }
    const ops: Operation[] = [];
    if (work.snapshot) this.snapshotOps(work.snapshot, ops, true);
    if (work.entries.length > 0) this.entryOps(work.entries, ops);
    if (work.hardState) ops.push({ type: 'put', key: keys.hardState, value: json(work.hardState) });
    if (ops.length === 0) return;
    if (work.sync && this.fsyncDelayMs > 0) await new Promise((r) => setTimeout(r, this.fsyncDelayMs));
    await this.write(ops, work.sync);
  }

  private entryOps(entries: readonly Entry[], ops: Operation[]): void {
    const first = (entries[0] as Entry).index;
    assert(first <= this.lastIndex + 1, () => `entries start at ${first}, after a gap from ${this.lastIndex}`);
    for (let index = first + entries.length; index <= this.lastIndex; index++) {
      ops.push({ type: 'del', key: logKey(index) });
    }
    for (const entry of entries) ops.push({ type: 'put', key: logKey(entry.index), value: encodeEntry(entry) });
    this.lastIndex = first + entries.length - 1;
  }

  private snapshotOps(snapshot: Snapshot, ops: Operation[], replaceLog: boolean): void {
    ops.push({ type: 'put', key: keys.snapshotMeta, value: json(snapshot.meta) });
    ops.push({ type: 'put', key: keys.snapshotData, value: snapshot.data });
    const dropTo = replaceLog ? this.lastIndex : snapshot.meta.index;
    for (let index = this.firstIndex; index <= dropTo; index++) ops.push({ type: 'del', key: logKey(index) });
    this.firstIndex = snapshot.meta.index + 1;
    if (replaceLog) {
      this.lastIndex = snapshot.meta.index;
      ops.push({ type: 'put', key: keys.applied, value: json(snapshot.meta.index) });
    }
  }

  async saveApplied(applied: number, changes: StateChanges): Promise<void> {
    const ops: Operation[] = [{ type: 'put', key: keys.applied, value: json(applied) }];
    for (const [key, value] of changes.puts) ops.push({ type: 'put', key: keys.recordPrefix + key, value });
    for (const key of changes.deletes) ops.push({ type: 'del', key: keys.recordPrefix + key });
    await this.write(ops, false);
  }

  async compact(snapshot: Snapshot): Promise<void> {
    const ops: Operation[] = [];
    this.snapshotOps(snapshot, ops, false);
    await this.write(ops, true);
  }

  /** One atomic batch. A chained batch costs far less per operation than an array batch. */
  private async write(ops: readonly Operation[], sync: boolean): Promise<void> {
    const batch = this.db.batch();
    for (const op of ops) {
      if (op.type === 'put') batch.put(op.key, op.value);
      else batch.del(op.key);
    }
    await batch.write({ sync });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

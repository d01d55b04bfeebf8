// LevelRaftStorage: what is persisted reads back the same after reopening; truncation,
// compaction and snapshot install keep the log contiguous; damage is detected, not ignored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelRaftStorage } from '../../src/storage/level-raft-storage.js';
import type { Entry } from '../../src/raft/index.js';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kvd-storage-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const entry = (term: number, index: number, text = `e${index}`): Entry =>
  ({ term, index, type: 'normal', data: new TextEncoder().encode(text) });

async function reopen(path: string): Promise<LevelRaftStorage> {
  const storage = new LevelRaftStorage(path);
  await storage.open();
  return storage;
}

describe('level raft storage', () => {
  it('storage: entries and hard state survive a reopen', async () => {
    const dir = freshDir();
    const a = await reopen(dir);
    await a.load();
    await a.persist({ entries: [entry(1, 1), entry(1, 2), entry(2, 3)], hardState: { term: 2, vote: 'a', commit: 2 }, sync: true });
    await a.close();
    const b = await reopen(dir);
    const loaded = await b.load();
    expect(loaded.hardState).toEqual({ term: 2, vote: 'a', commit: 2 });
    expect(loaded.entries.map((e) => `${e.term}/${e.index}`)).toEqual(['1/1', '1/2', '2/3']);
    expect(new TextDecoder().decode(loaded.entries[2]!.data)).toBe('e3');
    await b.close();
  });

  it('storage: a conflicting append truncates the old suffix', async () => {
    const dir = freshDir();
    const a = await reopen(dir);
    await a.load();
    await a.persist({ entries: [entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)], sync: true });
    await a.persist({ entries: [entry(2, 3)], hardState: { term: 2, vote: '', commit: 0 }, sync: true });
    await a.close();
    const b = await reopen(dir);
    const loaded = await b.load();
    expect(loaded.entries.map((e) => `${e.term}/${e.index}`)).toEqual(['1/1', '1/2', '2/3']);
    await b.close();
  });

  it('storage: compaction drops covered entries and keeps the snapshot', async () => {
    const dir = freshDir();
    const a = await reopen(dir);
    await a.load();
    await a.persist({ entries: [1, 2, 3, 4, 5].map((i) => entry(1, i)), hardState: { term: 1, vote: '', commit: 5 }, sync: true });
    await a.saveApplied(3, { puts: new Map([['k', new Uint8Array([7])]]), deletes: new Set() });
    const conf = { voters: ['a'], learners: [] };
    await a.compact({ meta: { index: 3, term: 1, conf }, data: new Uint8Array([1, 2, 3]) });
    await a.close();
    const b = await reopen(dir);
    const loaded = await b.load();
    expect(loaded.snapshot.meta).toEqual({ index: 3, term: 1, conf });
    expect([...loaded.snapshot.data]).toEqual([1, 2, 3]);
    expect(loaded.entries.map((e) => e.index)).toEqual([4, 5]);
    expect(loaded.applied).toBe(3);
    expect(loaded.records.map(([k, v]) => [k, [...v]])).toEqual([['k', [7]]]);
    await b.close();
  });

  it('storage: a gap in the log is reported as corruption', async () => {
    const dir = freshDir();
    const a = await reopen(dir);
    await a.load();
    await a.persist({ entries: [entry(1, 1), entry(1, 2), entry(1, 3)], hardState: { term: 1, vote: '', commit: 0 }, sync: true });
    await a.close();
    const raw = new Level<string, string>(dir);
    await raw.del('r/log/' + (2).toString(16).padStart(16, '0'));
    await raw.close();
    const b = await reopen(dir);
    await expect(b.load()).rejects.toThrow(/expected 2/);
    await b.close();
  });

  it('storage: a truncated entry record is reported as corruption', async () => {
    const dir = freshDir();
    const a = await reopen(dir);
    await a.load();
    await a.persist({ entries: [entry(1, 1)], hardState: { term: 1, vote: '', commit: 0 }, sync: true });
    await a.close();
    const raw = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' });
    await raw.put('r/log/' + (1).toString(16).padStart(16, '0'), new Uint8Array([1, 2, 3]));
    await raw.close();
    const b = await reopen(dir);
    await expect(b.load()).rejects.toThrow(/truncated/);
    await b.close();
  });
});

// Builds a fresh member data dir from a `kvctl snapshot save` file (`kvctl snapshot restore`):
// the keys become a v2 keyspace, written as a Raft snapshot of a new cluster, so the member
// starts with them and no log. Deterministic: every member of the new cluster restoring the
// same file with the same --initial-cluster gets the same state. Imports storage, store, raft.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EMPTY_CONF } from '../raft/index.js';
import { LevelRaftStorage } from '../storage/level-raft-storage.js';
import { V2Error, V2Store, type V2Command } from '../store/v2/index.js';
import { clusterIdFor, memberIdFor } from './identity.js';
import { encodeSnapshotImage, type MemberAttributes } from './envelope.js';

export interface SnapshotNode {
  readonly key?: string;
  readonly value?: string;
  readonly dir?: boolean;
  readonly ttl?: number;
  readonly nodes?: readonly SnapshotNode[];
}

export interface RestoreOptions {
  readonly dataDir: string;
  readonly name: string;
  /** name -> peer URLs of the new cluster's members. */
  readonly initialCluster: ReadonlyMap<string, readonly string[]>;
  readonly clusterToken: string;
  readonly root: SnapshotNode;
  /** The snapshot's save time: the clock every restored TTL counts from. */
  readonly savedAtMs: number;
}

/** Writes the data dir; returns how many keys it restored. Refuses a non-empty data dir. */
export async function restoreDataDir(options: RestoreOptions): Promise<number> {
  if (existsSync(options.dataDir) && readdirSync(options.dataDir).length > 0) {
    throw new Error(`data dir ${options.dataDir} is not empty: restore only into a new directory`);
  }
  if (!options.initialCluster.has(options.name)) {
    throw new Error(`--initial-cluster has no entry for --name "${options.name}"`);
  }
  const store = new V2Store();
  let index = 0;
  const apply = (command: Omit<V2Command, 'timeMs'>): void => {
    const result = store.apply(++index, { ...command, timeMs: options.savedAtMs } as V2Command);
    if (result instanceof V2Error) throw new Error(`cannot restore ${command.path}: ${result.message} (${result.cause})`);
  };
  const walk = (node: SnapshotNode): void => {
    for (const child of node.nodes ?? []) {
      if (child.key === undefined) continue;
      const ttl = child.ttl !== undefined && child.ttl > 0 ? { ttlSeconds: child.ttl } : {};
      if (child.dir) {
        apply({ op: 'set', path: child.key, dir: true, ...ttl });
        walk(child);
      } else {
        apply({ op: 'set', path: child.key, value: child.value ?? '', ...ttl });
      }
    }
  };
  walk(options.root);
  const ids = [...options.initialCluster].map(([name, urls]) => ({ name, urls, id: memberIdFor(urls, options.clusterToken) }));
  const members: [string, MemberAttributes][] = ids.map((m) => [m.id, { name: m.name, peerURLs: [...m.urls], clientURLs: [] }]);
  const snapshotIndex = index + 1;
  const data = encodeSnapshotImage({ members, v2: store.snapshot(), v2Applied: store.appliedIndex });
  mkdirSync(options.dataDir, { recursive: true });
  const storage = new LevelRaftStorage(join(options.dataDir, 'db'));
  await storage.open();
  try {
    await storage.load();
    const conf = { voters: ids.map((m) => m.id).sort(), learners: EMPTY_CONF.learners };
    await storage.persist({
      snapshot: { meta: { index: snapshotIndex, term: 1, conf }, data },
      entries: [], hardState: { term: 1, vote: '', commit: snapshotIndex }, sync: true,
    });
    await storage.saveApplied(snapshotIndex, store.takeChanges());
    const self = ids.find((m) => m.name === options.name)!;
    await storage.saveIdentity({ clusterId: clusterIdFor(options.clusterToken), memberId: self.id, name: options.name });
  } finally {
    await storage.close();
  }
  return index;
}

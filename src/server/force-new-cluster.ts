// Disaster recovery (`kvd --force-new-cluster`): turns an existing data dir into a one-member
// cluster keeping its data, for when a majority is permanently lost. Uncommitted entries are
// dropped; committed conf-change entries removing every other member are appended, so the
// change is in the log like any other. Imports src/raft and src/storage.
import {
  applyConfChange, decodeConfChange, encodeConfChange, type ConfState, type Entry,
} from '../raft/index.js';
import type { LevelRaftStorage } from '../storage/level-raft-storage.js';

export async function forceNewCluster(storage: LevelRaftStorage, selfId: string): Promise<string[]> {
  const loaded = await storage.load();
  const commit = Math.max(loaded.hardState.commit, loaded.applied, loaded.snapshot.meta.index);
  let conf: ConfState = loaded.snapshot.meta.conf;
  for (const entry of loaded.entries) {
    if (entry.index > commit) break;
    if (entry.type === 'conf-change') conf = applyConfChange(conf, decodeConfChange(entry.data));
  }
  const others = [...conf.voters, ...conf.learners].filter((id) => id !== selfId);
  const lastCommitted = loaded.entries.find((e) => e.index === commit);
  const term = Math.max(loaded.hardState.term, lastCommitted?.term ?? loaded.snapshot.meta.term);
  const entries: Entry[] = others.map((nodeId, i) => ({
    term, index: commit + 1 + i, type: 'conf-change',
    data: encodeConfChange({ type: 'remove', nodeId, context: new Uint8Array(0) }),
  }));
  if (!conf.voters.includes(selfId)) {
    entries.push({
      term, index: commit + 1 + entries.length, type: 'conf-change',
      data: encodeConfChange({ type: 'add-voter', nodeId: selfId, context: new Uint8Array(0) }),
    });
  }
  // An empty no-op keeps the truncation explicit even when there is nothing to remove.
  entries.push({ term, index: commit + 1 + entries.length, type: 'normal', data: new Uint8Array(0) });
  const last = entries[entries.length - 1] as Entry;
  await storage.persist({ entries, hardState: { term, vote: '', commit: last.index }, sync: true });
  return others;
}

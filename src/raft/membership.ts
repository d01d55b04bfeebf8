// Membership: encoding of conf-change entries and applying one change to a ConfState.
// One change at a time (Raft §4.1 single-server changes). Pure. Imports only src/lib and
// src/raft/types.ts.
import { assert } from '../lib/assert.js';
import type { ConfChange, ConfChangeType, ConfState, Entry, NodeId } from './types.js';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
const changeTypes: readonly ConfChangeType[] = ['add-voter', 'add-learner', 'promote', 'remove'];

export function encodeConfChange(change: ConfChange): Uint8Array {
  const context = Buffer.from(change.context).toString('base64');
  return textEncoder.encode(JSON.stringify({ t: change.type, n: change.nodeId, c: context }));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const raw = JSON.parse(textDecoder.decode(data)) as { t: ConfChangeType; n: string; c: string };
  assert(changeTypes.includes(raw.t), () => `conf change type ${String(raw.t)} unknown`);
  return { type: raw.t, nodeId: raw.n, context: new Uint8Array(Buffer.from(raw.c, 'base64')) };
}

export const EMPTY_CONF: ConfState = { voters: [], learners: [] };

/** Why `change` cannot apply to `conf`, or null when it can. */
export function checkConfChange(conf: ConfState, change: ConfChange): string | null {
  const isVoter = conf.voters.includes(change.nodeId);
  const isLearner = conf.learners.includes(change.nodeId);
  switch (change.type) {
    case 'add-voter':
    case 'add-learner':
      return isVoter || isLearner ? `member ${change.nodeId} already exists` : null;
    case 'promote':
      return isLearner ? null : `member ${change.nodeId} is not a learner`;
    case 'remove':
      if (!isVoter && !isLearner) return `member ${change.nodeId} does not exist`;
      if (isVoter && conf.voters.length === 1) return 'cannot remove the last voter';
      return null;
  }
}

/** The conf after `change`; a change that cannot apply leaves it unchanged (a no-op). */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfState {
  if (checkConfChange(conf, change) !== null) return conf;
  const id = change.nodeId;
  const without = (ids: readonly NodeId[]): NodeId[] => ids.filter((x) => x !== id);
  switch (change.type) {
    case 'add-voter':
      return { voters: sorted([...conf.voters, id]), learners: conf.learners };
    case 'add-learner':
      return { voters: conf.voters, learners: sorted([...conf.learners, id]) };
    case 'promote':
      return { voters: sorted([...conf.voters, id]), learners: without(conf.learners) };
    case 'remove':
      return { voters: without(conf.voters), learners: without(conf.learners) };
  }
}

/**
 * Entries 1..n (term 1) that bootstrap a new cluster: one add-voter per initial member,
 * sorted by ID, so every member writes the same log from the same member list.
 */
export function bootstrapEntries(
  members: readonly { readonly id: NodeId; readonly context: Uint8Array }[],
): Entry[] {
  const ordered = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return ordered.map((member, i) => ({
    term: 1,
    index: i + 1,
    type: 'conf-change' as const,
    data: encodeConfChange({ type: 'add-voter', nodeId: member.id, context: member.context }),
  }));
}

function sorted(ids: readonly NodeId[]): NodeId[] {
  return [...ids].sort();
}

// Configuration of one Raft core instance and its validation. Imports only src/lib and
// src/raft/types.ts.
import type { Random } from '../lib/prng.js';
import { limits } from '../lib/limits.js';
import type { Entry, HardState, NodeId, Snapshot } from './types.js';

export interface RaftConfig {
  readonly id: NodeId;
  /** Ticks without a leader before a follower starts an election (randomized up to 2x). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** The only randomness the core uses (election timeouts). */
  readonly random: Random;
  /** The state machine's applied index at start (entries after it are applied again). */
  readonly applied: number;
  readonly appendBatchBytesMax: number;
  readonly appendBatchEntriesMax: number;
  readonly inflightMessagesMax: number;
  readonly applyBatchBytesMax: number;
  /** Run whole-structure invariant checks after every step (tests and simulator). */
  readonly paranoid: boolean;
  /** Test-only: break Raft on purpose so the simulator can show it catches the bug. */
  readonly faults: readonly RaftFault[];
}

export type RaftFault = 'commit-old-term';

/** What the core is rebuilt from at start: the durable copy, as storage read it back. */
export interface RaftStorageState {
  readonly hardState: HardState;
  /** The latest snapshot; index 0 (empty data, empty conf) when none was ever taken. */
  readonly snapshot: Snapshot;
  /** Entries after snapshot.meta.index, contiguous. */
  readonly entries: readonly Entry[];
}

export const configDefaults = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  applied: 0,
  appendBatchBytesMax: limits.appendBatchBytesMax,
  appendBatchEntriesMax: limits.appendBatchEntriesMax,
  inflightMessagesMax: limits.inflightMessagesMax,
  applyBatchBytesMax: limits.applyBatchBytesMax,
  paranoid: false,
  faults: [] as readonly RaftFault[],
};

export type RaftConfigInput = Partial<RaftConfig> & Pick<RaftConfig, 'id' | 'random'>;

export function makeConfig(input: RaftConfigInput): RaftConfig {
  const config: RaftConfig = { ...configDefaults, ...input };
  const problem = validateConfig(config);
  if (problem !== null) throw new RangeError(problem);
  return config;
}

/** Returns null when valid, else a message naming the setting(s) at fault. */
export function validateConfig(config: RaftConfig): string | null {
  if (!/^[0-9a-f]{1,16}$/.test(config.id) || /^0+$/.test(config.id)) {
    return `id "${config.id}" must be 1..16 lowercase hex characters, not zero`;
  }
  if (!Number.isInteger(config.heartbeatTicks) || config.heartbeatTicks < 1) {
    return `heartbeatTicks ${config.heartbeatTicks} must be an integer >= 1`;
  }
  if (!Number.isInteger(config.electionTicks) || config.electionTicks <= config.heartbeatTicks) {
    return `electionTicks ${config.electionTicks} must exceed heartbeatTicks ${config.heartbeatTicks}`;
  }
  if (config.electionTicks > 10_000) return `electionTicks ${config.electionTicks} > 10000`;
  // Number.isInteger also rejects NaN, which every comparison below would let through.
  if (!Number.isInteger(config.inflightMessagesMax) || config.inflightMessagesMax < 1 ||
    config.inflightMessagesMax > 65_536) {
    return `inflightMessagesMax ${config.inflightMessagesMax} must be an integer in 1..65536`;
  }
  if (!Number.isInteger(config.appendBatchBytesMax) || config.appendBatchBytesMax < 1) {
    return 'appendBatchBytesMax must be an integer >= 1';
  }
  if (!Number.isInteger(config.appendBatchEntriesMax) || config.appendBatchEntriesMax < 1) {
    return 'appendBatchEntriesMax must be an integer >= 1';
  }
  if (!Number.isInteger(config.applyBatchBytesMax) || config.applyBatchBytesMax < 1) {
    return 'applyBatchBytesMax must be an integer >= 1';
  }
  if (!Number.isInteger(config.applied) || config.applied < 0) {
    return `applied ${config.applied} must be an integer >= 0`;
  }
  return null;
}

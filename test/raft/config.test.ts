// validateConfig: impossible settings are rejected with a message naming the setting.
import { expect, it } from 'vitest';
import { Prng } from '../../src/lib/prng.js';
import { configDefaults, validateConfig, type RaftConfig } from '../../src/raft/config.js';
import { RaftNode } from '../../src/raft/index.js';
import { EMPTY_SNAPSHOT } from './harness.js';

const valid: RaftConfig = { ...configDefaults, id: 'a1', random: new Prng(1) };

const impossible: [string, Partial<RaftConfig>][] = [
  ['id', { id: '' }],
  ['id', { id: 'A1' }],
  ['id', { id: '0' }],
  ['id', { id: '12345678901234567' }],
  ['heartbeatTicks', { heartbeatTicks: 0 }],
  ['heartbeatTicks', { heartbeatTicks: 1.5 }],
  ['electionTicks', { electionTicks: 1, heartbeatTicks: 1 }],
  ['electionTicks', { electionTicks: 5, heartbeatTicks: 6 }],
  ['electionTicks', { electionTicks: 10.5 }],
  ['electionTicks', { electionTicks: 20_000 }],
  ['electionTicks', { electionTicks: Number.NaN }],
  ['inflightMessagesMax', { inflightMessagesMax: 0 }],
  ['inflightMessagesMax', { inflightMessagesMax: 100_000 }],
  ['inflightMessagesMax', { inflightMessagesMax: 2.5 }],
  ['inflightMessagesMax', { inflightMessagesMax: Number.NaN }],
  ['appendBatchBytesMax', { appendBatchBytesMax: 0 }],
  ['appendBatchBytesMax', { appendBatchBytesMax: Number.NaN }],
  ['appendBatchEntriesMax', { appendBatchEntriesMax: 0 }],
  ['appendBatchEntriesMax', { appendBatchEntriesMax: 1.5 }],
  ['appendBatchEntriesMax', { appendBatchEntriesMax: Number.NaN }],
  ['applyBatchBytesMax', { applyBatchBytesMax: 0 }],
  ['applyBatchBytesMax', { applyBatchBytesMax: Number.NaN }],
  ['applied', { applied: -1 }],
  ['applied', { applied: 2.5 }],
];

it('config: validateConfig accepts the defaults and sensible settings', () => {
  expect(validateConfig(valid)).toBeNull();
  expect(validateConfig({ ...valid, id: 'ffffffffffffffff', electionTicks: 2, heartbeatTicks: 1, inflightMessagesMax: 1 })).toBeNull();
});

it.each(impossible)('config: validateConfig rejects an impossible %s, naming it (%o)', (setting, patch) => {
  const problem = validateConfig({ ...valid, ...patch });
  expect(problem).toEqual(expect.stringContaining(setting));
  const storage = { hardState: { term: 0, vote: '', commit: 0 }, snapshot: EMPTY_SNAPSHOT, entries: [] };
  expect(() => new RaftNode({ ...valid, ...patch }, storage)).toThrow(RangeError);
});

// The public face of the Raft core. Everything outside src/raft imports from here.
export { RaftNode } from './raft.js';
export { makeConfig, validateConfig, type RaftConfig, type RaftConfigInput, type RaftStorageState } from './config.js';
export { bootstrapEntries, decodeConfChange, encodeConfChange, applyConfChange, EMPTY_CONF } from './membership.js';
export { describeEntry, describeMessage, describeReady } from './describe.js';
export * from './types.js';

// Forwarding shim: the checker moved to src/check/linearizability.ts (kvctl verify uses it).
// Kept only for importers written before the move (test/jepsen); new code imports src/check.
// Delete once nothing imports it.
export * from '../../src/check/linearizability.js';

// Forwarding shim: the history recorder moved to src/check/history.ts (kvctl verify uses it).
// Kept only for importers written before the move (test/jepsen); new code imports src/check.
// Delete once nothing imports it.
export * from '../../src/check/history.js';

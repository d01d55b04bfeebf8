// Property: random schedules of ticks, deliveries (in any order), drops, proposals, crashes with
// restarts and compactions on a 3-member cluster never produce two leaders in one term
// (election safety, §5.2), two different committed entries at one index (state machine
// safety, §5.4.3), nor a leader missing a committed entry (leader completeness, §5.4); and once
// healed, the cluster commits again everywhere. Seeded from KVD_SEED when set; the seed is
// printed on failure.
import fc from 'fast-check';
import { it } from 'vitest';
import { opArb, run } from './schedule.js';

it('safety (property): random ticks, deliveries, drops and restarts never give two leaders in a term, two committed entries at an index, nor a stale read', () => {
  const fromEnv = process.env['KVD_SEED'];
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  try {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(opArb, { minLength: 100, maxLength: 400 }), (s, ops) => run(s, ops)),
      { seed, numRuns: 150 },
    );
  } catch (error) {
    console.error(`raft safety property failed: replay with KVD_SEED=${seed}`);
    throw error;
  }
});

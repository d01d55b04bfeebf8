// Runs the whole-cluster simulator inside the test suite: a batch of seeds must pass, a run
// must replay exactly from its seed, and every broken-on-purpose switch must be caught
// within a bounded number of seeds. (`npm run sim -- --seeds N` runs many more.)
import { describe, expect, it } from 'vitest';
import type { Bug } from './bugs.js';
import { describeOptions, optionsFromSeed, runSimulation, type SimResult } from './simulator.js';

const firstSeed = Number(process.env['KVD_SEED'] ?? 1);

function explain(result: SimResult): string {
  return `${describeOptions(result.options)}\n${result.message}\n` +
    `replay: npm run sim -- --seed ${result.options.seed}`;
}

describe('simulator', () => {
  it('simulator: 40 seeds keep every safety property and stay linearizable', () => {
    for (let seed = firstSeed; seed < firstSeed + 40; seed++) {
      const result = runSimulation(optionsFromSeed(seed));
      expect(result.outcome, explain(result)).toBe('ok');
      expect(result.stats['completed'], explain(result)).toBeGreaterThan(0);
    }
  }, 120_000);

  it('simulator: a seed replays exactly (same stats, same outcome)', () => {
    const a = runSimulation(optionsFromSeed(firstSeed + 1000));
    const b = runSimulation(optionsFromSeed(firstSeed + 1000));
    expect(b.stats).toEqual(a.stats);
    expect(b.outcome).toBe(a.outcome);
  });

  const bounds: [Bug, number][] = [
    ['reads-skip-read-index', 20],
    ['forget-vote', 150],
    ['ack-before-fsync', 150],
  ];
  for (const [bug, seedsMax] of bounds) {
    it(`simulator: bug switch '${bug}' is caught within ${seedsMax} seeds`, () => {
      let caught: SimResult | null = null;
      for (let seed = 1; seed <= seedsMax && caught === null; seed++) {
        const result = runSimulation(optionsFromSeed(seed, { bugs: [bug] }));
        if (result.outcome === 'correctness') caught = result;
      }
      expect(caught, `'${bug}' not caught in ${seedsMax} seeds`).not.toBeNull();
      // The failing seed replays to the same verdict.
      const replay = runSimulation((caught as SimResult).options);
      expect(replay.outcome).toBe('correctness');
      expect(replay.message).toBe((caught as SimResult).message);
    }, 180_000);
  }
});

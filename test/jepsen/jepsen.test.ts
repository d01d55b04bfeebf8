// Short Jepsen-style runs of real kvd processes (bin/kvd.js, built by `pretest`): a few seeds
// under the full nemesis must show no anomaly, and each broken-on-purpose switch of kvd must be
// caught, which shows the harness can see what it checks. `npm run jepsen` runs longer ones.
// Every run stops its processes and proxies itself; the exit hook kills any left behind.
import { afterAll, describe, expect, it } from 'vitest';
import { killLiveMembers } from './jepsen-cluster.js';
import type { JepsenResult } from './report.js';
import { runJepsen } from './run.js';
import { defaultOptions, type JepsenOptions } from './run-settings.js';

const firstSeed = Number(process.env['KVD_SEED'] ?? 1);

/** Runs one seed, printing only its summary; the whole transcript goes into failure messages. */
async function run(overrides: Partial<JepsenOptions>):
  Promise<{ result: JepsenResult; transcript: string }> {
  const lines: string[] = [];
  const result = await runJepsen({ ...defaultOptions, ...overrides }, (line) => lines.push(line));
  console.log(`${result.summary}\n${result.folder === null ? '' : `folder: ${result.folder}\n`}` +
    `replay: ${result.replay}`);
  return { result, transcript: lines.join('\n') };
}

function okOps(result: JepsenResult): number {
  return Object.values(result.record.counts).reduce((n, c) => n + c.ok, 0);
}

describe('jepsen', () => {
  afterAll(() => {
    // Each run stops its members itself; this only matters if a run was cut short.
    expect(killLiveMembers()).toBe(0);
  });

  const healthy: [number, number][] = [[firstSeed, 3], [firstSeed + 1, 5]];
  for (const [seed, nodes] of healthy) {
    it(`jepsen: seed ${seed}, ${nodes} members, 20 s of every fault: no anomaly`, async () => {
      const { result, transcript } = await run({ seed, nodes, timeSec: 20 });
      expect(result.anomalies, transcript).toEqual([]);
      expect(result.outcome, transcript).toBe('ok');
      expect(okOps(result), transcript).toBeGreaterThan(0);
      expect(result.record.linearizability?.verdict, transcript).toBe('linearizable');
    }, 240_000);
  }

  it('jepsen: reads-skip-read-index (local quorum reads) is caught as a stale read', async () => {
    const { result, transcript } = await run({
      seed: firstSeed + 100, nodes: 3, timeSec: 20, bugs: ['reads-skip-read-index'],
      faults: ['partition-halves', 'isolate-leader', 'one-way', 'delay'],
    });
    expect(result.outcome, transcript).toBe('correctness');
    expect(result.anomalies.map((a) => a.kind), transcript).toContain('not-linearizable');
  }, 240_000);

  it('jepsen: ack-before-fsync is caught: followers crash while the leader stalls', async () => {
    // n1 has a fast disk; n2 and n3 wait 500 ms before each fsync but (the bug) acknowledge
    // first. While n1 leads, what it commits is on its disk only: the nemesis stops the leader,
    // kills -9 and restarts the others, who elect a leader without those entries.
    const { result, transcript } = await run({
      seed: firstSeed + 200, nodes: 3, timeSec: 30, bugs: ['ack-before-fsync'],
      fsyncDelaysMs: [0, 500, 500], faults: ['kill-followers-pause-leader'],
      pace: { gapMsMax: 4000, holdMsMax: 300 },
    });
    expect(result.outcome, transcript).toBe('correctness');
  }, 240_000);
});

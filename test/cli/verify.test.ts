// kvctl verify against live kvd clusters: a healthy 3-member cluster passes (exit 0) with a
// real workload behind the verdict and its prefix cleaned up; a cluster started with the
// broken-on-purpose switch reads-skip-read-index (quorum reads served locally, possibly stale)
// is caught: exit 6 and the checker's explanation of the failing key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getKey, ProcessCluster } from '../support/process-cluster.js';
import { endpointsOf, kvctl, stopAllKvctl } from './kvctl-process.js';

interface VerifyJson {
  verdict: string;
  ops: number;
  ok: number;
  failed: number;
  unknown: number;
  byKind: Record<string, number>;
  prefix: string;
  explanation?: string;
}

afterAll(async () => {
  await stopAllKvctl();
});

describe('kvctl verify: healthy cluster', () => {
  const cluster = new ProcessCluster({ size: 3, basePort: 32040 });
  beforeAll(async () => {
    cluster.startAll();
    await cluster.waitForLeader(15_000);
  }, 30_000);
  afterAll(() => cluster.stopAll());

  it('verify: a healthy cluster is linearizable (exit 0) and the prefix is removed', async () => {
    const result = await kvctl(
      ['-o', 'json', 'verify', '--duration', '5s', '--clients', '3'],
      { endpoints: endpointsOf(cluster.members) },
      60_000,
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as VerifyJson;
    expect(report.verdict).toBe('linearizable');
    expect(report.ops).toBe(report.ok + report.failed + report.unknown);
    expect(report.ok).toBeGreaterThan(30);
    for (const kind of ['read', 'write', 'cas', 'delete'])
      expect(report.byKind[kind]).toBeGreaterThan(0);
    expect(report.prefix).toMatch(/^\/_kvctl\/verify\/[0-9a-f]{12}$/);
    const left = await getKey(cluster.members[0]!.clientUrl, report.prefix, '?quorum=true');
    expect(left.status).toBe(404);
  }, 70_000);

  it('verify: simple output names the workload and ends with the verdict', async () => {
    const result = await kvctl(
      ['verify', '--duration', '2s', '--keys', '2', '--seed', '7'],
      { endpoints: endpointsOf(cluster.members) },
      60_000,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^verify: 4 clients, 2 keys under \/_kvctl\/verify\/[0-9a-f]+, 2\.00s, seed 7\n/,
    );
    expect(result.stdout).toMatch(/\nverify: linearizable\n$/);
  }, 70_000);
});

describe('kvctl verify: stale quorum reads', () => {
  const buggy = new ProcessCluster({
    size: 3,
    basePort: 32050,
    env: { KVD_TEST_BUGS: 'reads-skip-read-index' },
  });
  beforeAll(async () => {
    buggy.startAll();
    await buggy.waitForLeader(15_000);
  }, 30_000);
  afterAll(() => buggy.stopAll());

  it('verify: catches stale reads: exit 6 with an explanation', async () => {
    // One key and several clients make a stale read at a lagging follower likely within
    // seconds; a few tries keep the test from depending on one run's timing.
    let last = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      last = await kvctl(
        ['-o', 'json', 'verify', '--duration', '5s', '--keys', '1', '--clients', '4'],
        { endpoints: endpointsOf(buggy.members) },
        60_000,
      );
      if (last.code !== 0) break;
    }
    expect(last!.code, last!.stdout + last!.stderr).toBe(6);
    const report = JSON.parse(last!.stdout) as VerifyJson;
    expect(report.verdict).toBe('not-linearizable');
    expect(report.explanation).toContain(`key "${report.prefix}/k0" is not linearizable`);
  }, 200_000);
});

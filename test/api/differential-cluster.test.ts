// The differential scenarios again, this time against a real 3-member kvd cluster (processes,
// Raft, LevelDB) with every request sent to a FOLLOWER, so writes and quorum reads are
// forwarded to the leader: status, errors, bodies and headers must still match etcd 3.4.
import { appendFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster, type ProcessMember } from '../support/process-cluster.js';
import { findEtcd, startEtcd, type EtcdProcess } from './differential/etcd-process.js';
import { makeTarget, type HttpTarget } from './differential/raw-http.js';
import { runScenario } from './differential/run-scenario.js';
import type { Scenario } from './differential/scenario.js';
import { compareScenarios } from './differential/scenarios-compare.js';
import { httpScenarios } from './differential/scenarios-http.js';
import { keyScenarios } from './differential/scenarios-keys.js';
import { paramScenarios } from './differential/scenarios-params.js';
import { watchScenarios } from './differential/scenarios-watch.js';

/** Scenarios about one process's own surface (stats, members, version) stay in-process only. */
const memberLocal = /stats|members|version|machines|leader/i;
const scenarios: readonly Scenario[] = [
  ...keyScenarios, ...compareScenarios, ...paramScenarios, ...watchScenarios, ...httpScenarios,
].filter((s) => !memberLocal.test(s.name));

const etcdBinary = findEtcd();

describe.skipIf(etcdBinary === null)('differential: 3-member kvd cluster against etcd 3.4', () => {
  let etcd: EtcdProcess | undefined;
  let kvd: HttpTarget | undefined;
  const cluster = new ProcessCluster({ size: 3, basePort: 32500, electionMs: 1000, heartbeatMs: 100 });
  const outcomes = { matched: 0, deviated: 0, failed: [] as string[] };

  beforeAll(async () => {
    etcd = await startEtcd(etcdBinary!);
    cluster.startAll();
    const leader = await cluster.waitForLeader(30_000);
    const follower = cluster.members.find((m) => m !== leader) as ProcessMember;
    await cluster.waitForHealthy(follower, 20_000);
    kvd = makeTarget('127.0.0.1', Number(new URL(follower.clientUrl).port));
  }, 60_000);

  afterAll(async () => {
    kvd?.agent.destroy();
    await cluster.stopAll();
    await etcd?.stop();
    console.log(`differential (cluster): ${outcomes.matched} match, ${outcomes.deviated} expected ` +
      `deviations, ${outcomes.failed.length} unexpected differences` +
      (outcomes.failed.length > 0 ? `:\n  ${outcomes.failed.join('\n  ')}` : ''));
  }, 30_000);

  it('has at least 150 cluster scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(150);
  });

  for (const [position, entry] of scenarios.entries()) {
    const prefix = `dc${String(position).padStart(3, '0')}`;
    const marker = entry.deviation === undefined ? '' : ` [deviation ${entry.deviation}]`;
    it(`${prefix} ${entry.name}${marker}`, async () => {
      const [fromEtcd, fromKvd] = await Promise.all([
        runScenario(etcd!.target, entry, prefix),
        runScenario(kvd!, entry, prefix),
      ]);
      const same = isDeepStrictEqual(fromKvd.observations, fromEtcd.observations);
      const dump = process.env['KVD_DIFFERENTIAL_DUMP'];
      if (dump) appendFileSync(dump, JSON.stringify({ name: entry.name, same, etcd: fromEtcd, kvd: fromKvd }) + '\n');
      if (entry.deviation !== undefined) {
        if (!same) outcomes.deviated++;
        expect(same, `expected deviation ${entry.deviation} no longer differs`).toBe(false);
        return;
      }
      if (same) outcomes.matched++;
      else outcomes.failed.push(entry.name);
      expect(fromKvd.observations).toEqual(fromEtcd.observations);
    }, 180_000);
  }
});

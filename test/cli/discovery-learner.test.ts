// kvctl discovery new and the learner commands against a live 3-member kvd cluster: a token
// is created with its size; a learner is added, refused promotion while it has not caught up
// (it never started), and removed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, ProcessCluster } from '../support/process-cluster.js';
import { endpointsOf, kvctl, stopAllKvctl } from './kvctl-process.js';

const cluster = new ProcessCluster({ size: 3, basePort: 32060, electionMs: 1000, heartbeatMs: 100 });

beforeAll(async () => {
  cluster.startAll();
  await cluster.waitForLeader(30_000);
}, 60_000);
afterAll(async () => {
  await stopAllKvctl();
  await cluster.stopAll();
});

describe('kvctl discovery and learners', () => {
  it('discovery new: prints a token URL whose _config/size holds the size', async () => {
    const result = await kvctl(['discovery', 'new', '--size', '5'], { endpoints: endpointsOf(cluster.members) });
    expect(result.code, result.stderr).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/keys\/_etcd\/registry\/[0-9a-f]{32}$/);
    const size = await getJson(`${token}/_config/size?quorum=true`);
    expect((size['node'] as { value: string }).value).toBe('5');
    const bad = await kvctl(['discovery', 'new', '--size', '0'], { endpoints: endpointsOf(cluster.members) });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--size must be a whole number from 1 to 99/);
  }, 30_000);

  it('member add --learner, promote refused until caught up, remove', async () => {
    const endpoints = endpointsOf(cluster.members);
    const added = await kvctl(['member', 'add', '--learner', 'l1', 'http://127.0.0.1:32169'], { endpoints });
    expect(added.code, added.stderr).toBe(0);
    const id = /with ID ([0-9a-f]+)/.exec(added.stdout)?.[1];
    expect(id).toBeDefined();
    const listed = (await getJson(`${cluster.members[0]!.clientUrl}/v2/members`))['members'] as { id: string }[];
    expect(listed.map((m) => m.id)).toContain(id);
    const promote = await kvctl(['member', 'promote', id!], { endpoints });
    expect(promote.code).toBe(4);
    expect(promote.stderr).toMatch(/caught up/);
    const removed = await kvctl(['member', 'remove', id!], { endpoints });
    expect(removed.code, removed.stderr).toBe(0);
  }, 60_000);
});

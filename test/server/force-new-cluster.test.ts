// Disaster recovery: with a majority permanently lost, `--force-new-cluster` restarts the
// survivor alone with its data; it serves writes again and lists only itself.
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, getKey, ProcessCluster, putKey, sleep, type ProcessMember } from '../support/process-cluster.js';

const cluster = new ProcessCluster({ size: 3, basePort: 31900, electionMs: 1000, heartbeatMs: 100 });
afterAll(() => cluster.stopAll());

describe('force new cluster (processes)', () => {
  it('force-new-cluster: the survivor of a lost majority serves its data alone', async () => {
    const [m1, m2, m3] = cluster.members as [ProcessMember, ProcessMember, ProcessMember];
    cluster.startAll();
    await cluster.waitForLeader(20_000);
    for (let i = 0; i < 10; i++) expect((await putKey(m1.clientUrl, `/dr/k${i}`, `v${i}`)).status).toBe(201);
    await cluster.kill(m2);
    await cluster.kill(m3);
    const stuck = await putKey(m1.clientUrl, '/dr/stuck', 'x', 8000).catch(() => null);
    expect(stuck === null || stuck.status >= 500).toBe(true);
    await cluster.kill(m1);
    cluster.start(m1, ['--initial-cluster', cluster.initialCluster, '--force-new-cluster']);
    await cluster.waitForHealthy(m1, 20_000);
    let status = 0;
    for (let i = 0; i < 50 && status !== 201; i++) {
      status = (await putKey(m1.clientUrl, '/dr/after', 'alive', 3000).catch(() => null))?.status ?? 0;
      if (status !== 201) await sleep(200);
    }
    expect(status).toBe(201);
    for (let i = 0; i < 10; i++) {
      expect(((await getKey(m1.clientUrl, `/dr/k${i}`)).body['node'] as { value: string }).value).toBe(`v${i}`);
    }
    const members = (await getJson(`${m1.clientUrl}/v2/members`))['members'] as { name: string }[];
    expect(members.map((m) => m.name)).toEqual(['m1']);
  }, 90_000);
});

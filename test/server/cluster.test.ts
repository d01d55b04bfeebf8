// Real kvd processes on loopback: a 3-member cluster serves writes at any member and quorum
// reads; killing the leader under load elects a new one within 3 election timeouts and loses
// no acknowledged write; a killed member restarts with everything it acknowledged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getKey, ProcessCluster, putKey, sleep } from '../support/process-cluster.js';

const electionMs = 500;
const cluster = new ProcessCluster({ size: 3, basePort: 31200, electionMs, heartbeatMs: 50 });

beforeAll(async () => {
  cluster.startAll();
  await cluster.waitForLeader(15_000);
}, 30_000);

afterAll(async () => {
  await cluster.stopAll();
});

describe('kvd cluster (processes)', () => {
  it('cluster: a write at a follower is readable with quorum=true at every member', async () => {
    const leader = await cluster.waitForLeader();
    const follower = cluster.members.find((m) => m !== leader)!;
    const put = await putKey(follower.clientUrl, '/cluster/a', 'one');
    expect(put.status).toBe(201);
    for (const member of cluster.members) {
      const got = await getKey(member.clientUrl, '/cluster/a', '?quorum=true');
      expect(got.status).toBe(200);
      expect((got.body['node'] as { value: string }).value).toBe('one');
    }
  });

  it('cluster: killing the leader under load elects a new leader fast and loses no acknowledged write', async () => {
    const acknowledged = new Map<string, string>();
    let stop = false;
    let counter = 0;
    const writers = cluster.members.map(async (member, w) => {
      while (!stop) {
        const key = `/load/w${w}-${counter++ % 20}`;
        const value = `v${counter}`;
        const answer = await putKey(member.clientUrl, key, value, 2000).catch(() => null);
        if (answer !== null && answer.status < 300) acknowledged.set(key, value);
        else await sleep(20);
      }
    });
    await sleep(700);
    const leader = await cluster.waitForLeader();
    const killedAt = Date.now();
    await cluster.kill(leader);
    const survivors = cluster.members.filter((m) => m !== leader);
    let newLeaderAt = 0;
    while (Date.now() - killedAt < 10_000) {
      const answer = await putKey(survivors[0]!.clientUrl, '/probe', String(Date.now()), 1000).catch(() => null);
      if (answer !== null && answer.status < 300) {
        newLeaderAt = Date.now();
        break;
      }
      await sleep(20);
    }
    await sleep(500);
    stop = true;
    await Promise.all(writers);
    expect(newLeaderAt, 'no write succeeded after the leader was killed').toBeGreaterThan(0);
    expect(newLeaderAt - killedAt).toBeLessThan(3 * electionMs + 1500);
    expect(acknowledged.size).toBeGreaterThan(10);
    // Keys are written by one writer each, in order: the last acknowledged value must be there.
    for (const [key, value] of acknowledged) {
      const got = await getKey(survivors[0]!.clientUrl, key, '?quorum=true');
      const w = Number(key.match(/w(\d)/)![1]);
      if (cluster.members[w] === leader) continue; // its in-flight write may have landed later
      expect((got.body['node'] as { value: string } | undefined)?.value, key).toBe(value);
    }
    cluster.start(leader);
    await cluster.waitForHealthy(leader);
  }, 60_000);

  it('cluster: a member killed with SIGKILL restarts with every write it acknowledged', async () => {
    const member = cluster.members[1]!;
    for (let i = 0; i < 20; i++) {
      expect((await putKey(member.clientUrl, `/restart/k${i}`, `v${i}`)).status).toBe(201);
    }
    await cluster.kill(member);
    cluster.start(member);
    await cluster.waitForHealthy(member);
    for (let i = 0; i < 20; i++) {
      const got = await getKey(member.clientUrl, `/restart/k${i}`);
      expect((got.body['node'] as { value: string }).value).toBe(`v${i}`);
    }
  }, 30_000);
});

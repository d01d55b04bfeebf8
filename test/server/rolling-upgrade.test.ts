// A mixed-version cluster (issue 9): one member speaks protocol 1.1 (an extra field on every
// frame and a message type 1.0 does not know); writes, quorum reads, an election and a
// snapshot catch-up work across the mix. A member speaking major version 2 is refused with a
// clear log line on both sides.
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, getKey, ProcessCluster, putKey, sleep, type ProcessMember } from '../support/process-cluster.js';

const cluster = new ProcessCluster({ size: 3, basePort: 31700, electionMs: 1000, heartbeatMs: 100, snapshotCount: 40 });
afterAll(() => cluster.stopAll());

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what} (logs in ${cluster.root})`);
}

/** A write that retries while members restart or elect (bounded): returns the final status. */
async function putEventually(member: ProcessMember, key: string, value: string): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await putKey(member.clientUrl, key, value, 3000).catch(() => null);
    if ((answer !== null && answer.status < 500) || Date.now() > deadline) return answer?.status ?? 0;
    await sleep(100);
  }
}

describe('rolling upgrade (processes)', () => {
  it('upgrade: a 1.1 member works with 1.0 members: writes, reads, election, snapshot catch-up', async () => {
    const [m1, m2, m3] = cluster.members as [ProcessMember, ProcessMember, ProcessMember];
    cluster.memberEnv.set('m3', { KVD_TEST_PROTOCOL: 'next' });
    cluster.startAll();
    await cluster.waitForLeader(20_000);
    for (const [i, member] of [m1, m2, m3].entries()) {
      expect(await putEventually(member, `/mix/k${i}`, `v${i}`)).toBe(201);
    }
    for (const member of [m1, m2, m3]) {
      const got = await getKey(member.clientUrl, '/mix/k2', '?quorum=true');
      expect((got.body['node'] as { value: string }).value).toBe('v2');
    }
    // The 1.0 members received (and ignored) the 1.1 member's unknown message type.
    // (m3 talks at least to the leader, which is m1 or m2.)
    let ignored = 0;
    for (const member of [m1, m2]) {
      ignored += ((await getJson(`${member.clientUrl}/v2/stats/self`))['kvdTransport'] as { framesIgnored: number }).framesIgnored;
    }
    expect(ignored).toBeGreaterThan(0);
    const own = (await getJson(`${m3.clientUrl}/v2/stats/self`))['kvdTransport'] as { framesIgnored: number };
    expect(own.framesIgnored).toBe(0);

    // Election across the mix: stop the leader if it is a 1.0 member, until the 1.1 one leads
    // or a 1.0 member is elected by the 1.1 member's vote.
    const leader = await cluster.waitForLeader();
    await cluster.kill(leader);
    const survivors = [m1, m2, m3].filter((m) => m !== leader);
    await waitFor(async () => (await putKey(survivors[0]!.clientUrl, '/mix/after', 'x', 2000)).status === 201,
      'a write after the leader was killed');
    cluster.start(leader);
    await cluster.waitForHealthy(leader);

    // Snapshot catch-up: m3 (1.1) misses enough writes that the log is compacted past it.
    await cluster.kill(m3);
    const writer = survivors.includes(m1) ? m1 : m2;
    for (let i = 0; i < 100; i++) expect(await putEventually(writer, `/mix/s${i}`, `s${i}`)).toBe(201);
    cluster.start(m3);
    await waitFor(async () => ((await getKey(m3.clientUrl, '/mix/s99')).body['node'] as { value?: string } | undefined)?.value === 's99',
      'm3 catching up from a snapshot');
    expect(cluster.logOf(m3)).not.toMatch(/InvariantViolation/);
  }, 120_000);

  it('upgrade: a member speaking major version 2 is refused, logged on both sides', async () => {
    const [m1, m2] = cluster.members as [ProcessMember, ProcessMember, ProcessMember];
    await cluster.kill(m2);
    cluster.memberEnv.set('m2', { KVD_TEST_PROTOCOL: 'major2' });
    cluster.start(m2);
    await waitFor(async () => /refused peer handshake/.test(cluster.logOf(m1)) && /no common protocol version/.test(cluster.logOf(m1)),
      'm1 logging the refusal');
    await waitFor(async () => /no common protocol version/.test(cluster.logOf(m2)), 'm2 logging the refusal');
    // The cluster keeps serving with the 1.x majority.
    expect(await putEventually(m1, '/mix/still', 'ok')).toBe(201);
  }, 60_000);
});

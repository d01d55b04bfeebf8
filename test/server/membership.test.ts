// Runtime membership with real processes (issue 9): a learner catches up from a snapshot (the
// log was compacted) and is promoted; the cluster grows 3->5 and shrinks back to 3 under write
// load; a change that would break quorum is refused; a dead member is replaced; no
// acknowledged write is lost along the way.
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, getKey, ProcessCluster, putKey, sleep, type ProcessMember } from '../support/process-cluster.js';

const cluster = new ProcessCluster({ size: 3, basePort: 31400, electionMs: 1000, heartbeatMs: 100, snapshotCount: 50 });
afterAll(() => cluster.stopAll());

async function members(via: ProcessMember): Promise<{ id: string; name: string; peerURLs: string[] }[]> {
  return ((await getJson(`${via.clientUrl}/v2/members`))['members'] as { id: string; name: string; peerURLs: string[] }[]);
}

async function change(via: ProcessMember, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${via.clientUrl}/v2/members${path}`, {
    method, signal: AbortSignal.timeout(10_000),
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, text: await response.text() };
}

async function idOf(via: ProcessMember, member: ProcessMember): Promise<string> {
  const found = (await members(via)).find((m) => m.peerURLs.includes(member.peerUrl));
  if (!found) throw new Error(`${member.name} not in the member list`);
  return found.id;
}

function expectStatus(result: { status: number; text: string }, status: number): void {
  expect(result.status, result.text).toBe(status);
}

async function waitForMemberCount(via: ProcessMember, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  while (Date.now() < deadline) {
    seen = (await members(via).catch(() => [])).length;
    if (seen === count) return;
    await sleep(100);
  }
  throw new Error(`${via.name} lists ${seen} members, expected ${count}`);
}

async function waitForValue(member: ProcessMember, key: string, value: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const got = await getKey(member.clientUrl, key).catch(() => null);
    if ((got?.body['node'] as { value?: string } | undefined)?.value === value) return;
    await sleep(100);
  }
  throw new Error(`${member.name} never served ${key}=${value} (logs in ${cluster.root})`);
}

describe('runtime membership (processes)', () => {
  it('membership: learner from snapshot, promote, grow 3->5, refuse a quorum-breaking change, shrink, replace a dead member', async () => {
    cluster.startAll();
    await cluster.waitForLeader(20_000);
    const [m1, m2, m3] = cluster.members as [ProcessMember, ProcessMember, ProcessMember];
    for (let i = 0; i < 120; i++) expect((await putKey(m1.clientUrl, `/pre/k${i}`, `v${i}`)).status).toBe(201);

    const acknowledged = new Map<string, string>();
    let stop = false;
    let n = 0;
    const load = (async () => {
      while (!stop) {
        const key = `/load/k${n++}`;
        const answer = await putKey(m2.clientUrl, key, key, 3000).catch(() => null);
        if (answer?.status === 201) acknowledged.set(key, key);
        else await sleep(50);
      }
    })();

    // A learner joins, catches up from a snapshot, and is promoted.
    const m4 = cluster.addMemberEntry('m4');
    const added = await change(m1, 'POST', '', { peerURLs: [m4.peerUrl], isLearner: true });
    expect(added.status, added.text).toBe(201);
    cluster.startJoining(m4, [m1, m2, m3, m4]);
    await waitForValue(m4, '/pre/k119', 'v119');
    const m4Id = await idOf(m1, m4);
    // Promotion is refused until the leader sees the learner in sync; operators retry.
    let promoted = await change(m3, 'POST', `/${m4Id}/promote`);
    for (let i = 0; i < 50 && promoted.status === 412; i++) {
      expect(promoted.text).toMatch(/caught up/);
      await sleep(200);
      promoted = await change(m3, 'POST', `/${m4Id}/promote`);
    }
    expect(promoted.status, promoted.text).toBe(200);

    // Grow to 5 voters.
    const m5 = cluster.addMemberEntry('m5');
    const addedVoter = await change(m2, 'POST', '', { peerURLs: [m5.peerUrl] });
    expect(addedVoter.status, addedVoter.text).toBe(201);
    cluster.startJoining(m5, [m1, m2, m3, m4, m5]);
    await waitForValue(m5, '/pre/k0', 'v0');
    await waitForMemberCount(m1, 5);
    const duplicate = await change(m1, 'POST', '', { peerURLs: [m5.peerUrl] });
    expect(duplicate.status).toBe(409);

    // With m4 and m5 down, removing m1 would leave 4 voters needing 3 up with only 2: refused.
    await cluster.kill(m4);
    await cluster.kill(m5);
    await sleep(2500); // long enough for check-quorum to see them gone
    const m1Id = await idOf(m2, m1);
    const refused = await change(m2, 'DELETE', `/${m1Id}`);
    expect(refused.status, refused.text).toBe(412);
    expect(refused.text).toMatch(/quorum/);

    // Shrink back to 3 by removing the dead members.
    expectStatus(await change(m1, 'DELETE', `/${await idOf(m1, m5)}`), 204);
    expectStatus(await change(m1, 'DELETE', `/${m4Id}`), 204);
    await waitForMemberCount(m1, 3);
    const unknown = await change(m1, 'DELETE', '/abcdef');
    expect(unknown.status).toBe(404);

    // Replace a dead member: remove m3, add m6 with an empty data dir.
    await cluster.kill(m3);
    expectStatus(await change(m1, 'DELETE', `/${await idOf(m1, m3)}`), 204);
    const m6 = cluster.addMemberEntry('m6');
    expectStatus(await change(m1, 'POST', '', { peerURLs: [m6.peerUrl] }), 201);
    cluster.startJoining(m6, [m1, m2, m6]);
    await waitForValue(m6, '/pre/k50', 'v50');

    stop = true;
    await load;
    expect(acknowledged.size).toBeGreaterThan(5);
    for (const [key, value] of acknowledged) {
      const got = await getKey(m6.clientUrl, key, '?quorum=true', 5000);
      expect((got.body['node'] as { value?: string } | undefined)?.value, key).toBe(value);
    }
  }, 240_000);
});

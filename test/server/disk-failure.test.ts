// A full disk or failed write (issue 3): the member whose writes fail never acknowledges a
// write it did not persist, stops leading, and exits; the others elect a leader and serve.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getKey, ProcessCluster, putKey, sleep, type ProcessMember } from '../support/process-cluster.js';

const cluster = new ProcessCluster({ size: 3, basePort: 33850, electionMs: 1000, heartbeatMs: 100 });
afterAll(() => cluster.stopAll());

describe('disk failure (processes)', () => {
  it('disk full: the leader stops acknowledging and exits; a new leader serves every acknowledged write', async () => {
    const flags = new Map<string, string>();
    for (const member of cluster.members) {
      const file = join(cluster.root, `${member.name}.disk-full`);
      flags.set(member.name, file);
      cluster.memberEnv.set(member.name, { KVD_TEST_DISK_FULL_FILE: file });
    }
    cluster.startAll();
    const leader = await cluster.waitForLeader(30_000);
    const others = cluster.members.filter((m) => m !== leader) as ProcessMember[];
    expect((await putKey(leader.clientUrl, '/disk/before', 'ok')).status).toBe(201);
    writeFileSync(flags.get(leader.name)!, 'full');
    const failed = await putKey(leader.clientUrl, '/disk/during', 'x', 8000).catch(() => null);
    expect(failed === null || failed.status >= 500, JSON.stringify(failed?.body)).toBe(true);
    const exited = await new Promise<boolean>((resolve) => {
      const child = leader.process;
      if (child === null || child.exitCode !== null) return resolve(true);
      child.once('exit', () => resolve(true));
      setTimeout(() => resolve(false), 10_000);
    });
    expect(exited).toBe(true);
    let status = 0;
    for (let i = 0; i < 100 && status !== 201; i++) {
      status = (await putKey(others[0]!.clientUrl, '/disk/after', 'ok', 2000).catch(() => null))?.status ?? 0;
      if (status !== 201) await sleep(100);
    }
    expect(status).toBe(201);
    const before = await getKey(others[1]!.clientUrl, '/disk/before', '?quorum=true');
    expect((before.body['node'] as { value: string }).value).toBe('ok');
    expect(cluster.logOf(leader)).toMatch(/storage failed/);
  }, 90_000);
});

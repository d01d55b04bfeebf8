// kvctl's cluster commands against a live 3-member kvd cluster: member list, endpoint health
// and status, cluster-health; then with the first endpoint's member killed: key commands fail
// over, a running watch moves to another member, and the health commands report the dead
// member and exit 5.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster, putKey, sleep } from '../support/process-cluster.js';
import { endpointsOf, kvctl, KvctlProcess, stopAllKvctl } from './kvctl-process.js';

const cluster = new ProcessCluster({ size: 3, basePort: 32020 });
let endpoints = '';
const run = (...args: string[]) => kvctl(args, { endpoints });

interface StatusRow {
  endpoint: string;
  id: string;
  name: string;
  isLeader: boolean;
  raftTerm: number;
  raftIndex: number;
  keys: number;
  version: string;
  latencyMs: number;
}

beforeAll(async () => {
  cluster.startAll();
  await cluster.waitForLeader(15_000);
  for (const member of cluster.members) await cluster.waitForHealthy(member);
  await cluster.waitForPublished();
  endpoints = endpointsOf(cluster.members);
}, 30_000);

afterAll(async () => {
  await stopAllKvctl();
  await cluster.stopAll();
});

describe('kvctl cluster commands', () => {
  it('member list: every member with its URLs and exactly one leader, in each format', async () => {
    const leader = await cluster.waitForLeader();
    const json = await run('-o', 'json', 'member', 'list');
    expect(json.code).toBe(0);
    const { members } = JSON.parse(json.stdout) as {
      members: { name: string; clientURLs: string[]; peerURLs: string[]; isLeader: boolean }[];
    };
    expect(members.map((m) => m.name).sort()).toEqual(['m1', 'm2', 'm3']);
    for (const m of members) {
      const member = cluster.members.find((p) => p.name === m.name)!;
      expect(m.clientURLs).toEqual([member.clientUrl]);
      expect(m.peerURLs).toEqual([member.peerUrl]);
      expect(m.isLeader).toBe(m.name === leader.name);
    }
    const simple = await run('member', 'list');
    expect(simple.stdout).toMatch(
      new RegExp(
        `^[0-9a-f]+: name=${leader.name} peerURLs=` +
          `${leader.peerUrl} clientURLs=${leader.clientUrl} isLeader=true$`,
        'm',
      ),
    );
    const table = await run('-o', 'table', 'member', 'list');
    expect(table.stdout.split('\n')[1]).toMatch(
      /^\| ID +\| NAME \| PEER ADDRS +\| CLIENT ADDRS +\| IS LEADER \|$/,
    );
  });

  it('endpoint status: ID, name, one leader, same term, commit index and key count', async () => {
    await run('put', '/status/a', '1');
    await run('put', '/status/b', '2');
    await sleep(300); // let every member apply the last write
    const result = await run('-o', 'json', 'endpoint', 'status');
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as StatusRow[];
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.isLeader)).toHaveLength(1);
    expect(new Set(rows.map((r) => r.raftTerm)).size).toBe(1);
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f]+$/);
      expect(row.raftIndex).toBeGreaterThan(2);
      expect(row.keys).toBe(2);
      expect(row.version).toMatch(/^3\.4\.\d+ \(kvd /);
      expect(row.latencyMs).toBeGreaterThan(0);
    }
    const table = await run('-o', 'table', 'endpoint', 'status');
    const header = table.stdout.split('\n')[1]!.split('|').map((cell) => cell.trim());
    expect(header).toEqual(['', 'ENDPOINT', 'ID', 'NAME', 'IS LEADER', 'RAFT TERM', 'RAFT INDEX',
      'KEYS', 'VERSION', 'LATENCY', '']);
  });

  it('endpoint health and cluster-health: all healthy, exit 0', async () => {
    const health = await run('endpoint', 'health');
    expect(health.code).toBe(0);
    expect(health.stdout.match(/ is healthy: took = /g)).toHaveLength(3);
    const summary = await run('cluster-health');
    expect(summary.code).toBe(0);
    expect(
      summary.stdout.match(/^member [0-9a-f]+ is healthy: got healthy result from /gm),
    ).toHaveLength(3);
    expect(summary.stdout).toMatch(/cluster is healthy\n$/);
  });

  it('member add: a clear exit 4 when the server does not serve it, else a member', async () => {
    const result = await run('member', 'add', 'm9', 'http://127.0.0.1:32029');
    const probe = await fetch(`${cluster.members[0]!.clientUrl}/v2/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"peerURLs":[]}',
    });
    if (probe.status === 404 || probe.status === 405) {
      expect(result.code).toBe(4);
      expect(result.stderr).toContain(`answered HTTP ${probe.status}`);
      expect(result.stderr).toContain('this server does not serve POST /v2/members');
    } else {
      expect(result.code, result.stderr).toBe(0); // kvd serves it now: etcd.test.ts covers the rest
      const id = /with ID ([0-9a-f]+)/.exec(result.stdout)![1]!;
      expect((await run('member', 'remove', id)).code).toBe(0);
    }
  });

  describe("with the first endpoint's member killed", () => {
    it('keys fail over, a running watch moves on, health commands exit 5', async () => {
      const first = cluster.members[0]!;
      const watch = new KvctlProcess(['watch', '--forever', '/down/w'], {
        endpoints: first.clientUrl + ',' + cluster.members[1]!.clientUrl,
      });
      await sleep(1000); // the watch is now polling the first member
      await cluster.kill(first);
      await cluster.waitForLeader();
      const put = await run('put', '/down/a', 'still here');
      expect(put, put.stderr).toMatchObject({ code: 0, stdout: 'still here\n' });
      expect(await run('get', '--quorum', '/down/a')).toMatchObject({
        code: 0,
        stdout: 'still here\n',
      });
      for (let i = 0; i < 50 && !watch.stdout.includes('after-kill'); i++) {
        await putKey(cluster.members[2]!.clientUrl, '/down/w', 'after-kill');
        await sleep(200);
      }
      expect(watch.stdout).toContain('after-kill\n');
      watch.signal('SIGTERM');
      expect((await watch.result()).code).toBe(0);

      const health = await run('endpoint', 'health');
      expect(health.code).toBe(5);
      expect(health.stdout).toContain(`${first.clientUrl} is unhealthy: connection refused`);
      expect(health.stdout.match(/ is healthy: /g)).toHaveLength(2);
      const summary = await run('cluster-health');
      expect(summary.code).toBe(5);
      expect(summary.stdout).toMatch(
        new RegExp(`is unreachable: \\[${first.clientUrl}\\] are all unreachable`),
      );
      expect(summary.stdout).toMatch(/cluster is degraded\n$/);
      const status = await run('-o', 'json', 'endpoint', 'status');
      expect(status.code).toBe(5);
      expect((JSON.parse(status.stdout) as StatusRow[]).map((r) => r.name).sort()).toEqual([
        'm2',
        'm3',
      ]);
      expect(status.stderr).toContain(`${first.clientUrl} (m1) failed: connection refused`);

      cluster.start(first);
      await cluster.waitForHealthy(first);
    }, 60_000);
  });
});

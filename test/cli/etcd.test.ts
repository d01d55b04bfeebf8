// kvctl against real etcd 3.4 (v2 API): member add / update / remove, which kvd may not serve
// yet, checked against the server whose API kvctl follows; the key commands' output and exit
// codes match those against kvd; verify passes against etcd too. Skipped (with a note) when no
// etcd binary is installed; .ci/run installs one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../support/process-cluster.js';
import { EtcdCluster, etcdAvailable } from './etcd-cluster.js';
import { endpointsOf, kvctl, stopAllKvctl } from './kvctl-process.js';

const etcd = new EtcdCluster(3, 32300);
let endpoints = '';
const run = (...args: string[]) => kvctl(args, { endpoints });

interface ListedMember {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLeader: boolean;
}

async function members(): Promise<ListedMember[]> {
  const result = await run('-o', 'json', 'member', 'list');
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { members: ListedMember[] }).members;
}

if (!etcdAvailable) console.warn('test/cli/etcd.test.ts: no etcd binary on PATH; skipped');

describe.skipIf(!etcdAvailable)('kvctl against etcd 3.4', () => {
  beforeAll(async () => {
    etcd.startAll();
    await etcd.waitForHealthy();
    endpoints = endpointsOf(etcd.members);
  }, 30_000);

  afterAll(async () => {
    await stopAllKvctl();
    await etcd.stopAll();
  });

  it('etcd: member add, update and remove change the member list', async () => {
    const before = await members();
    expect(before.map((m) => m.name).sort()).toEqual(['e1', 'e2', 'e3']);
    expect(before.filter((m) => m.isLeader)).toHaveLength(1);

    // etcd refuses reconfiguration (500) until every member has been connected for 5 s.
    let added = await run('member', 'add', 'e4', 'http://127.0.0.1:32313');
    for (let i = 0; i < 20 && added.stderr.includes('HTTP 500'); i++) {
      await sleep(500);
      added = await run('member', 'add', 'e4', 'http://127.0.0.1:32313');
    }
    expect(added.code, added.stderr).toBe(0);
    const id = /^Added member named e4 with ID ([0-9a-f]+) to cluster\n/.exec(added.stdout)?.[1];
    expect(id, added.stdout).toBeDefined();
    expect(added.stdout).toContain('ETCD_NAME="e4"');
    const cluster = /ETCD_INITIAL_CLUSTER="([^"]*)"/.exec(added.stdout)![1]!.split(',').sort();
    expect(cluster).toEqual(
      [...etcd.members.map((m) => `${m.name}=${m.peerUrl}`), 'e4=http://127.0.0.1:32313'].sort(),
    );
    expect(added.stdout).toContain('ETCD_INITIAL_CLUSTER_STATE="existing"');
    expect((await members()).find((m) => m.id === id)?.peerURLs).toEqual([
      'http://127.0.0.1:32313',
    ]);

    const updated = await run('member', 'update', id!, 'http://127.0.0.1:32314');
    expect(updated).toMatchObject({ code: 0, stdout: `Updated member with ID ${id} in cluster\n` });
    expect((await members()).find((m) => m.id === id)?.peerURLs).toEqual([
      'http://127.0.0.1:32314',
    ]);

    const removed = await run('-o', 'json', 'member', 'remove', id!);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ removed: id });
    expect((await members()).map((m) => m.id)).not.toContain(id);
  }, 60_000);

  it("etcd: removing an unknown member exits 4 with etcd's message", async () => {
    const result = await run('member', 'remove', 'abcdef0123456789');
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/answered HTTP 404: No such member: abcdef0123456789\n$/);
  });

  it('etcd: key commands print and exit as against kvd', async () => {
    expect(await run('put', '/compat/a', 'x')).toMatchObject({ code: 0, stdout: 'x\n' });
    expect(await run('get', '/compat/a')).toMatchObject({ code: 0, stdout: 'x\n' });
    const missing = await run('get', '/compat/missing');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^Error: 100: Key not found \(\/compat\/missing\) \[\d+\]\n$/);
    const status = await run('-o', 'json', 'endpoint', 'status');
    const rows = JSON.parse(status.stdout) as { isLeader: boolean; version: string }[];
    expect(rows.filter((r) => r.isLeader)).toHaveLength(1);
    expect(rows[0]!.version).toMatch(/^3\.4\./);
  });

  it('etcd: verify passes against etcd', async () => {
    const result = await run('verify', '--duration', '3s');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\nverify: linearizable\n$/);
  }, 60_000);
});

// Real clients work unchanged against a 3-member kvd cluster: Debian's etcdctl (ETCDCTL_API=2:
// set, get, mk, mkdir, update, rm, ls, watch, member list/add/update/remove) and the npm
// package node-etcd.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, ProcessCluster, putKey, sleep } from '../support/process-cluster.js';

const run = promisify(execFile);
const cluster = new ProcessCluster({ size: 3, basePort: 31950, electionMs: 1000, heartbeatMs: 100 });
const etcdctlPath = ['/usr/bin/etcdctl', '/usr/local/bin/etcdctl'].find((p) => existsSync(p));

beforeAll(async () => {
  cluster.startAll();
  await cluster.waitForLeader(20_000);
  for (const m of cluster.members) await cluster.waitForHealthy(m, 20_000);
  // Members publish their client URLs through the log after they start (as etcd does).
  const deadline = Date.now() + 20_000;
  for (;;) {
    const listed = (await getJson(`${cluster.members[0]!.clientUrl}/v2/members`).catch(() => ({ members: [] })))['members'] as { clientURLs: string[] }[];
    if (listed.length === 3 && listed.every((m) => m.clientURLs.length > 0)) break;
    if (Date.now() > deadline) throw new Error('members never published their client URLs');
    await sleep(100);
  }
}, 60_000);
afterAll(() => cluster.stopAll());

async function etcdctl(...args: string[]): Promise<{ code: number; out: string }> {
  if (!etcdctlPath) throw new Error('etcdctl is not installed (apt-get install etcd-client)');
  const endpoints = cluster.members.map((m) => m.clientUrl).join(',');
  try {
    const { stdout, stderr } = await run(etcdctlPath, ['--endpoints', endpoints, ...args],
      { env: { ...process.env, ETCDCTL_API: '2' }, timeout: 15_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('etcdctl (v2) against kvd', () => {
  it('etcdctl: set, get, mk, update, mkdir, ls, rm behave as against etcd', async () => {
    expect((await etcdctl('set', '/ctl/a', 'one')).out.trim()).toBe('one');
    expect((await etcdctl('get', '--quorum', '/ctl/a')).out.trim()).toBe('one');
    const mkExisting = await etcdctl('mk', '/ctl/a', 'two');
    expect(mkExisting.code).not.toBe(0);
    expect(mkExisting.out).toMatch(/Key already exists/);
    expect((await etcdctl('mk', '/ctl/b', 'bee')).out.trim()).toBe('bee');
    expect((await etcdctl('update', '/ctl/a', 'uno')).out.trim()).toBe('uno');
    expect((await etcdctl('mkdir', '/ctl/dir')).code).toBe(0);
    const listing = (await etcdctl('ls', '--quorum', '/ctl')).out.trim().split('\n').sort();
    expect(listing).toEqual(['/ctl/a', '/ctl/b', '/ctl/dir']);
    expect((await etcdctl('rm', '/ctl/b')).code).toBe(0);
    const missing = await etcdctl('get', '--quorum', '/ctl/b');
    expect(missing.code).toBe(4);
    expect(missing.out).toMatch(/Key not found/);
  }, 60_000);

  it('etcdctl: member list shows every member with its client URL', async () => {
    const out = (await etcdctl('member', 'list')).out;
    for (const m of cluster.members) {
      expect(out).toContain(`name=${m.name}`);
      expect(out).toContain(`clientURLs=${m.clientUrl}`);
    }
  }, 30_000);

  it('etcdctl: member add, update and remove work against kvd', async () => {
    const added = await etcdctl('member', 'add', 'extra', 'http://127.0.0.1:31990');
    expect(added.code, added.out).toBe(0);
    expect(added.out).toMatch(/Added member named extra with ID [0-9a-f]+ to cluster/);
    expect(added.out).toContain('ETCD_INITIAL_CLUSTER_STATE="existing"');
    const id = /with ID ([0-9a-f]+)/.exec(added.out)![1]!;
    const updated = await etcdctl('member', 'update', id, 'http://127.0.0.1:31991');
    expect(updated.code, updated.out).toBe(0);
    expect((await etcdctl('member', 'list')).out).toContain('peerURLs=http://127.0.0.1:31991');
    const removed = await etcdctl('member', 'remove', id);
    expect(removed.code, removed.out).toBe(0);
    expect((await etcdctl('member', 'list')).out).not.toContain(id);
  }, 60_000);

  it('etcdctl: watch prints the next change', async () => {
    if (!etcdctlPath) throw new Error('etcdctl is not installed');
    const endpoints = cluster.members.map((m) => m.clientUrl).join(',');
    const watcher = spawn(etcdctlPath, ['--endpoints', endpoints, 'watch', '/ctl/w'], { env: { ...process.env, ETCDCTL_API: '2' } });
    let out = '';
    watcher.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => watcher.on('exit', resolve));
    await sleep(800);
    await putKey(cluster.members[1]!.clientUrl, '/ctl/w', 'seen');
    const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') watcher.kill('SIGKILL');
    expect(code).toBe(0);
    expect(out.trim()).toBe('seen');
  }, 30_000);
});

describe('node-etcd against kvd', () => {
  it('node-etcd: set, get, compare-and-swap, delete and watcher work unchanged', async () => {
    const require = createRequire(import.meta.url);
    const Etcd = require('node-etcd') as new (hosts: string[]) => {
      set(key: string, value: string, options: object, cb: (err: unknown, res: unknown) => void): void;
      get(key: string, cb: (err: unknown, res: { node: { value: string } }) => void): void;
      compareAndSwap(key: string, value: string, old: string, cb: (err: unknown, res: unknown) => void): void;
      del(key: string, cb: (err: unknown, res: unknown) => void): void;
      watcher(key: string): { on(event: string, cb: (res: { node: { value: string } }) => void): void; stop(): void };
    };
    const etcd = new Etcd(cluster.members.map((m) => m.clientUrl.replace('http://', '')));
    const call = <T>(fn: (cb: (err: unknown, res: T) => void) => void): Promise<T> =>
      new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));
    await call((cb) => etcd.set('/node/k', 'v1', {}, cb));
    expect((await call<{ node: { value: string } }>((cb) => etcd.get('/node/k', cb))).node.value).toBe('v1');
    await call((cb) => etcd.compareAndSwap('/node/k', 'v2', 'v1', cb));
    await expect(call((cb) => etcd.compareAndSwap('/node/k', 'v3', 'v1', cb))).rejects.toMatchObject({ errorCode: 101 });
    const watcher = etcd.watcher('/node/k');
    const changed = new Promise<string>((resolve) => watcher.on('change', (res) => resolve(res.node.value)));
    await sleep(500);
    await call((cb) => etcd.set('/node/k', 'v4', {}, cb));
    expect(await Promise.race([changed, sleep(10_000).then(() => 'timeout')])).toBe('v4');
    watcher.stop();
    await call((cb) => etcd.del('/node/k', cb));
    await expect(call((cb) => etcd.get('/node/k', cb))).rejects.toMatchObject({ errorCode: 100 });
  }, 60_000);
});

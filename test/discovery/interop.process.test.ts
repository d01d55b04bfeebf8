// Interop both ways with real etcd 3.4 (Debian's etcd-server and etcd-discovery packages):
// kvd members bootstrap through the real discovery.etcd.io backed by `etcd --enable-v2`, and
// real etcd members bootstrap through a token a kvd cluster served (`etcdctl member list`
// shows them all). Skipped, saying why, when a binary is absent. Ports 33600-33799.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dataDirExists, exitWithin, fetchText, memberNames, spawnKvd, spawnProc, stopProc, waitFor,
  type KvdMemberSpec, type Proc,
} from './process-support.js';

function binary(name: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

const etcd = binary('etcd');
const etcdctl = binary('etcdctl');
const discoveryService = binary('discovery.etcd.io');
const root = mkdtempSync(join(tmpdir(), 'kvd-discovery-interop-'));
const procs: Proc[] = [];

function track(proc: Proc): Proc {
  procs.push(proc);
  return proc;
}

function etcdArgs(name: string, clientPort: number, peerPort: number, extra: readonly string[]): string[] {
  return ['--name', name, '--data-dir', join(root, name),
    '--listen-client-urls', `http://127.0.0.1:${clientPort}`, '--advertise-client-urls', `http://127.0.0.1:${clientPort}`,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    ...extra];
}

function kvdMember(name: string, clientPort: number, peerPort: number): KvdMemberSpec {
  return { name, clientPort, peerPort, dataDir: join(root, name) };
}

afterAll(async () => {
  await Promise.all(procs.map((p) => stopProc(p)));
  rmSync(root, { recursive: true, force: true });
}, 30_000);

if (etcd === null || discoveryService === null) {
  console.warn('SKIPPED: kvd through discovery.etcd.io needs the etcd and discovery.etcd.io binaries '
    + '(apt-get install -y etcd-server etcd-discovery); they are not on PATH');
}
describe.skipIf(etcd === null || discoveryService === null)('interop: kvd members through the real discovery.etcd.io', () => {
  it('interop: three kvd members bootstrap through discovery.etcd.io backed by etcd --enable-v2', async () => {
    track(spawnProc('etcd-backend', etcd!, etcdArgs('backend', 33600, 33601,
      ['--enable-v2=true', '--initial-cluster', 'backend=http://127.0.0.1:33601']), root));
    track(spawnProc('discovery.etcd.io', discoveryService!,
      ['-h', 'http://127.0.0.1:33602', '-e', 'http://127.0.0.1:33600', '-a', '127.0.0.1:33602'], root));
    await waitFor('discovery.etcd.io healthy', async () => {
      const health = await fetchText('http://127.0.0.1:33602/health');
      return health.status === 200 ? true : null;
    }, 20_000);
    const created = await fetchText('http://127.0.0.1:33602/new?size=3');
    expect(created.text).toMatch(/^http:\/\/127\.0\.0\.1:33602\/[0-9a-f]{32}$/);
    const token = created.text;
    const members = [1, 2, 3].map((i) => kvdMember(`k${i}`, 33610 + i, 33620 + i));
    for (const m of members) track(spawnKvd(m, ['--discovery', token], root));
    for (const m of members) {
      const names = await waitFor(`${m.name} healthy with 3 members`, async () => {
        const found = await memberNames(`http://127.0.0.1:${m.clientPort}`);
        return found?.length === 3 ? found : null;
      }, 30_000);
      expect(names).toEqual(['k1', 'k2', 'k3']);
    }
    const listing = JSON.parse((await fetchText(token)).text) as { node: { nodes: { value: string }[] } };
    expect(listing.node.nodes.map((n) => n.value).sort()).toEqual(members.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`));

    const late = kvdMember('k4', 33614, 33624);
    const fourth = track(spawnKvd(late, ['--discovery', token], root));
    expect(await exitWithin(fourth, 15_000)).toBe(1);
    expect(fourth.stderr).toContain(`discovery: the token ${token} is full: it was made for a cluster of 3`);
    expect(fourth.stderr).toContain(`"curl 'http://127.0.0.1:33602/new?size=3'"`);
    expect(dataDirExists(late.dataDir)).toBe(false);
  }, 90_000);
});

if (etcd === null || etcdctl === null) {
  console.warn('SKIPPED: etcd members through a kvd token need the etcd and etcdctl binaries '
    + '(apt-get install -y etcd-server etcd-client); they are not on PATH');
}
describe.skipIf(etcd === null || etcdctl === null)('interop: real etcd members through a kvd token', () => {
  it('interop: three etcd 3.4 members bootstrap through a token served by kvd', async () => {
    const service = track(spawnKvd(kvdMember('service', 33650, 33750), [], root));
    await waitFor('kvd service healthy', async () => memberNames('http://127.0.0.1:33650'), 30_000, service);
    const created = await fetchText('http://127.0.0.1:33650/new?size=3');
    const token = created.text;
    expect(token).toMatch(/^http:\/\/127\.0\.0\.1:33650\/v2\/keys\/_etcd\/registry\/[0-9a-f]{32}$/);
    for (const i of [1, 2, 3]) {
      track(spawnProc(`e${i}`, etcd!, etcdArgs(`e${i}`, 33660 + i, 33670 + i, ['--discovery', token]), root));
    }
    const listed = await waitFor('etcdctl member list shows 3 started members', async () => {
      const run = spawnSync(etcdctl!, ['--endpoints', 'http://127.0.0.1:33661', '--command-timeout=2s', 'member', 'list'],
        { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' }, timeout: 5000 });
      const lines = run.stdout.trim().split('\n').filter((l) => l.includes(', started, '));
      return run.status === 0 && lines.length === 3 ? lines : null;
    }, 40_000);
    expect(listed.map((l) => l.split(', ')[2]).sort()).toEqual(['e1', 'e2', 'e3']);
    expect(listed.map((l) => l.split(', ')[3]).sort())
      .toEqual(['http://127.0.0.1:33671', 'http://127.0.0.1:33672', 'http://127.0.0.1:33673']);

    // etcd's own client judges our listing full, as it would on discovery.etcd.io.
    // (Ports here sit in Linux's ephemeral range: an outgoing connection may hold one; move on.)
    let fourth: Proc | null = null;
    for (let attempt = 0; attempt < 3 && (fourth === null || fourth.output.includes('address already in use')); attempt++) {
      fourth = track(spawnProc(`e4-${attempt}`, etcd!, etcdArgs(`e4-${attempt}`, 33664 + 20 * attempt, 33674 + 20 * attempt,
        ['--discovery', token, '--discovery-fallback', 'exit']), root));
      expect(await exitWithin(fourth, 20_000)).toBe(1);
    }
    expect(fourth!.output).toContain('failed to join discovery cluster (discovery: cluster is full)');
  }, 90_000);
});

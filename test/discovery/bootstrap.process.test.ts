// Real kvd processes bootstrapping through tokens served by a single-member kvd cluster: 3- and
// 5-member clusters form; a full token, a re-used token, a duplicate name or peer URL, a bad
// size, a missing token, an unreachable URL, a non-etcd URL and --discovery with
// --initial-cluster each exit non-zero with their paragraph and leave no data dir; a member
// with a data dir restarts without asking the (now gone) service. Ports 33400-33599.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CountingProxy, dataDirExists, exitWithin, fetchText, memberNames, spawnKvd, stopProc, waitFor,
  type KvdMemberSpec, type Proc,
} from './process-support.js';

const root = mkdtempSync(join(tmpdir(), 'kvd-discovery-'));
const serviceUrl = 'http://127.0.0.1:33400';
const procs: Proc[] = [];

function member(name: string, clientPort: number, peerPort: number): KvdMemberSpec {
  return { name, clientPort, peerPort, dataDir: join(root, name) };
}

function start(m: KvdMemberSpec, extra: readonly string[]): Proc {
  const proc = spawnKvd(m, extra, root);
  procs.push(proc);
  return proc;
}

async function newToken(size: number, base = serviceUrl): Promise<string> {
  const answer = await fetchText(`${serviceUrl}/new?size=${size}`);
  expect(answer.status).toBe(200);
  return answer.text.replace(serviceUrl, base);
}

/** Starts a member that must fail: its exit code, stderr, and whether a data dir appeared. */
async function failing(m: KvdMemberSpec, extra: readonly string[], timeoutMs = 15_000): Promise<{ code: number | null; stderr: string }> {
  const proc = start(m, extra);
  const code = await exitWithin(proc, timeoutMs);
  expect(dataDirExists(m.dataDir)).toBe(false);
  return { code, stderr: proc.stderr };
}

beforeAll(async () => {
  const service = start(member('service', 33400, 33500), []);
  await waitFor('the kvd discovery service healthy', async () => memberNames(serviceUrl), 20_000, service);
}, 30_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => stopProc(p)));
  rmSync(root, { recursive: true, force: true });
}, 30_000);

describe('discovery: a 3-member cluster through a kvd token', () => {
  const members = [member('a1', 33410, 33450), member('a2', 33411, 33451), member('a3', 33412, 33452)];
  const running = new Map<string, Proc>();
  let proxy: CountingProxy;
  let token = '';

  it('bootstrap: three members started a second apart form one cluster', async () => {
    proxy = await new CountingProxy(33401, serviceUrl).start();
    token = await newToken(3, proxy.url);
    expect(token).toMatch(/^http:\/\/127\.0\.0\.1:33401\/v2\/keys\/_etcd\/registry\/[0-9a-f]{32}$/);
    for (const m of members) {
      running.set(m.name, start(m, ['--discovery', token]));
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const m of members) {
      const names = await waitFor(`${m.name} healthy with 3 members`, async () => {
        const found = await memberNames(`http://127.0.0.1:${m.clientPort}`);
        return found?.length === 3 ? found : null;
      }, 20_000);
      expect(names).toEqual(['a1', 'a2', 'a3']);
    }
    const ids = await Promise.all(members.map(async (m) =>
      (await fetchText(`http://127.0.0.1:${m.clientPort}/v2/members`)).headers.get('x-etcd-cluster-id')));
    expect(new Set(ids).size).toBe(1);
    const put = await fetchText(`http://127.0.0.1:33410/v2/keys/hello`, { method: 'PUT', body: new URLSearchParams({ value: 'world' }) });
    expect(put.status).toBe(201);
    expect(running.get('a1')!.output).toContain('found 3 needed member(s)');
  }, 60_000);

  it('full: a 4th member exits 1 naming the size, the members and member add', async () => {
    const { code, stderr } = await failing(member('a4', 33413, 33453), ['--discovery', token]);
    expect(code).toBe(1);
    expect(stderr).toContain(`discovery: the token ${token} is full: it was made for a cluster of 3 and 3 member(s) have registered: a`);
    for (const m of members) expect(stderr).toContain(`${m.name} (`); // in registration order
    expect(stderr).toContain('"kvctl member add a4 --peer-urls http://127.0.0.1:33453"');
    expect(stderr).toContain('etcdctl member add a4');
  }, 30_000);

  it('reuse: a member whose data dir was wiped cannot re-bootstrap through the used token', async () => {
    await stopProc(running.get('a3'));
    rmSync(members[2]!.dataDir, { recursive: true, force: true });
    const { code, stderr } = await failing(members[2]!, ['--discovery', token]);
    expect(code).toBe(1);
    expect(stderr).toContain('is already registered in the token');
    expect(stderr).toContain('this token was already used to bootstrap a cluster');
    expect(stderr).toContain(`"kvctl discovery new --size 3 --endpoints ${proxy.url}"`);
    expect(stderr).toContain(`"curl '${proxy.url}/new?size=3'"`);
  }, 30_000);

  it('restart: a member with a data dir restarts without contacting the discovery service', async () => {
    const before = proxy.requests;
    await proxy.close(); // the service is gone now
    await stopProc(running.get('a2'), 'SIGTERM');
    const again = start(members[1]!, ['--discovery', token, '--discovery-timeout', '2s']);
    running.set('a2', again);
    const names = await waitFor('a2 healthy again', async () => memberNames('http://127.0.0.1:33411'), 20_000);
    expect(names).toEqual(['a1', 'a2', 'a3']);
    expect(again.output).toContain('discovery: token ignored: the data dir');
    expect(proxy.requests).toBe(before);
    const got = await fetchText('http://127.0.0.1:33411/v2/keys/hello?quorum=true');
    expect(got.text).toContain('"value":"world"');
  }, 40_000);

  afterAll(async () => {
    await Promise.all([...running.values()].map((p) => stopProc(p)));
  });
});

describe('discovery: a 5-member cluster', () => {
  it('bootstrap: five members started together form one cluster', async () => {
    const token = await newToken(5);
    const members = [0, 1, 2, 3, 4].map((i) => member(`b${i + 1}`, 33420 + i, 33460 + i));
    const started = members.map((m) => start(m, ['--discovery', token]));
    try {
      for (const m of members) {
        const names = await waitFor(`${m.name} healthy with 5 members`, async () => {
          const found = await memberNames(`http://127.0.0.1:${m.clientPort}`);
          return found?.length === 5 ? found : null;
        }, 30_000);
        expect(names).toEqual(['b1', 'b2', 'b3', 'b4', 'b5']);
      }
      const listing = JSON.parse((await fetchText(token)).text) as { node: { nodes: unknown[] } };
      expect(listing.node.nodes).toHaveLength(5);
    } finally {
      await Promise.all(started.map((p) => stopProc(p)));
    }
  }, 60_000);
});

describe('discovery: mistakes exit non-zero and leave no data dir', () => {
  it('duplicate name: a second member with the same --name is refused before registering', async () => {
    const token = await newToken(2);
    const first = start(member('dup', 33430, 33470), ['--discovery', token]);
    await waitFor('first registered', async () => (first.output.includes('waiting for 1 more') ? true : null), 15_000);
    const { code, stderr } = await failing({ ...member('dup', 33431, 33471), dataDir: join(root, 'dup-2') }, ['--discovery', token]);
    expect(code).toBe(1);
    expect(stderr).toContain('two registrations with the name "dup"');
    await stopProc(first);
    expect(dataDirExists(join(root, 'dup'))).toBe(false); // it was still waiting: nothing written
  }, 40_000);

  it('duplicate peer URL: the same peer URL under another name is a used token', async () => {
    const token = await newToken(2);
    const first = start(member('p1', 33432, 33472), ['--discovery', token]);
    await waitFor('first registered', async () => (first.output.includes('waiting for 1 more') ? true : null), 15_000);
    await stopProc(first);
    const { code, stderr } = await failing(member('p2', 33433, 33472), ['--discovery', token]);
    expect(code).toBe(1);
    expect(stderr).toContain('(member ID');
    expect(stderr).toContain('as "p1=http://127.0.0.1:33472", but this member is --name p2');
  }, 40_000);

  it('bad size: a token whose size is not a number', async () => {
    const token = `${serviceUrl}/v2/keys/_etcd/registry/${'c'.repeat(32)}`;
    const put = await fetchText(`${token}/_config/size`, { method: 'PUT', body: new URLSearchParams({ value: 'three' }) });
    expect(put.status).toBe(201);
    const { code, stderr } = await failing(member('s1', 33434, 33474), ['--discovery', token]);
    expect(code).toBe(1);
    expect(stderr).toContain('has size "three" (its _config/size key), which is not a whole number');
  }, 30_000);

  it('missing token: a token that was never created', async () => {
    const token = `${serviceUrl}/v2/keys/_etcd/registry/${'d'.repeat(32)}`;
    const { code, stderr } = await failing(member('t1', 33435, 33475), ['--discovery', token]);
    expect(code).toBe(1);
    expect(stderr).toContain(`discovery: the token ${token} does not exist (the service answered etcd error 100 "Key not found"`);
  }, 30_000);

  it('unreachable: retries with back-off, says so, and gives up after --discovery-timeout', async () => {
    const token = `http://127.0.0.1:33499/v2/keys/_etcd/registry/${'e'.repeat(32)}`;
    const proc = start(member('u1', 33436, 33476), ['--discovery', token, '--discovery-timeout', '3s']);
    const code = await exitWithin(proc, 15_000);
    expect(code).toBe(1);
    expect(dataDirExists(join(root, 'u1'))).toBe(false);
    expect(proc.output).toMatch(/read the token size failed \(connect ECONNREFUSED 127\.0\.0\.1:33499\); retrying in 1s \(failure 1; back-off doubles up to 32s; giving up after 3s of failures\)/);
    expect(proc.output).toContain('retrying in 2s');
    // The elapsed time is measured, so it may read 3s or 3.1s on a busy machine.
    expect(proc.stderr).toContain(`discovery: gave up on the discovery service at ${token} after 3`);
    expect(proc.stderr).toMatch(/after 3(\.\d)?s of failed attempts \(--discovery-timeout 3s\)/);
  }, 30_000);

  it('not a service: a web server that answers HTML is named as such', async () => {
    const web = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html>Not Found</html>'));
    await new Promise<void>((r) => web.listen(33498, '127.0.0.1', r));
    try {
      const { code, stderr } = await failing(member('w1', 33437, 33477), ['--discovery', 'http://127.0.0.1:33498/some/page']);
      expect(code).toBe(1);
      expect(stderr).toContain('discovery: http://127.0.0.1:33498/some/page is not a discovery service: GET http://127.0.0.1:33498/some/page/_config/size');
      expect(stderr).toContain('404 text/html "<html>Not Found</html>"');
    } finally {
      web.closeAllConnections();
      await new Promise<void>((r) => web.close(() => r()));
    }
  }, 30_000);

  it('data dir: a member of another cluster is not re-bootstrapped through a token', async () => {
    const m = member('x1', 33439, 33479);
    const plain = start(m, []);
    await waitFor('x1 healthy', async () => memberNames('http://127.0.0.1:33439'), 20_000);
    await stopProc(plain, 'SIGTERM');
    const token = await newToken(1);
    const proc = start(m, ['--discovery', token]);
    expect(await exitWithin(proc, 15_000)).toBe(1);
    expect(proc.stderr).toContain(`discovery: the data dir ${m.dataDir} already holds member x1 (ID `);
    expect(proc.stderr).toContain(`which was not bootstrapped through the token ${token}`);
    expect(JSON.parse((await fetchText(token)).text)).not.toHaveProperty('node.nodes'); // nobody registered
    const again = start(m, []); // the data dir is intact
    expect(await waitFor('x1 healthy again', async () => memberNames('http://127.0.0.1:33439'), 20_000)).toEqual(['x1']);
    await stopProc(again);
  }, 60_000);

  it('flags: --discovery with --initial-cluster is a flag error before anything else', async () => {
    const { code, stderr } = await failing(member('f1', 33438, 33478),
      ['--discovery', `${serviceUrl}/v2/keys/_etcd/registry/${'f'.repeat(32)}`, '--initial-cluster', 'f1=http://127.0.0.1:33478']);
    expect(code).toBe(1);
    expect(stderr).toBe('kvd: --discovery and --initial-cluster cannot be used together: with --discovery the members are found through the token; give one or the other\n');
  }, 30_000);
});

// kvctl's key commands against a live 3-member kvd cluster (real processes): get, put/set, mk,
// mkdir, update, rm and ls in each output format, etcd errors as exit 4 with etcd's code and
// message, usage errors and an unreachable cluster as exit 1, and --help on every command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getKey, ProcessCluster } from '../support/process-cluster.js';
import { endpointsOf, kvctl, stopAllKvctl, type KvctlResult } from './kvctl-process.js';

const cluster = new ProcessCluster({ size: 3, basePort: 32000 });
let endpoints = '';
const run = (...args: string[]) => kvctl(args, { endpoints });
/** Runs kvctl and requires exit 0 (showing stderr otherwise). */
async function ok(...args: string[]): Promise<KvctlResult> {
  const result = await run(...args);
  expect(result.code, `kvctl ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

beforeAll(async () => {
  cluster.startAll();
  await cluster.waitForLeader(15_000);
  endpoints = endpointsOf(cluster.members);
}, 30_000);

afterAll(async () => {
  await stopAllKvctl();
  await cluster.stopAll();
});

describe('kvctl keys', () => {
  it('kvctl: put then get prints the value; the write is visible at every member', async () => {
    const put = await run('put', '/keys/a', 'hello world');
    expect(put).toMatchObject({ code: 0, stdout: 'hello world\n' });
    const get = await run('get', '--quorum', '/keys/a');
    expect(get).toMatchObject({ code: 0, stdout: 'hello world\n', stderr: '' });
    for (const member of cluster.members) {
      const answer = await getKey(member.clientUrl, '/keys/a', '?quorum=true');
      expect((answer.body['node'] as { value: string }).value).toBe('hello world');
    }
  });

  it('kvctl: -o json prints the body as etcd sends it; -o table aligns columns', async () => {
    await ok('set', '/keys/json', 'v1');
    const json = await ok('-o', 'json', 'get', '/keys/json');
    const body = JSON.parse(json.stdout) as { action: string; node: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['action', 'node']);
    expect(body.action).toBe('get');
    expect(body.node).toMatchObject({ key: '/keys/json', value: 'v1' });
    const table = await run('get', '/keys/json', '-o', 'table');
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^\| KEY +\| DIR \| VALUE \| CREATED \| MODIFIED \| TTL \|$/);
    expect(lines[3]).toMatch(/^\| \/keys\/json \| no +\| v1 +\| \d+ +\| \d+ +\| +\|$/);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });

  it("kvctl: a missing key exits 4 and prints etcd's errorCode 100 and message", async () => {
    const get = await run('get', '/keys/missing');
    expect(get.code).toBe(4);
    expect(get.stdout).toBe('');
    expect(get.stderr).toMatch(/^Error: 100: Key not found \(\/keys\/missing\) \[\d+\]\n$/);
  });

  it('kvctl: mk creates only new keys (else 105); update changes only existing ones', async () => {
    expect(await run('mk', '/keys/mk', 'one')).toMatchObject({ code: 0, stdout: 'one\n' });
    const again = await run('mk', '/keys/mk', 'two');
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('105: Key already exists (/keys/mk)');
    const missing = await run('update', '/keys/nothing-here', 'x');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('100: Key not found');
    expect(await run('update', '/keys/mk', 'three', '--ttl', '100')).toMatchObject({ code: 0 });
    const json = JSON.parse((await run('-o', 'json', 'get', '/keys/mk')).stdout);
    expect(json.node.value).toBe('three');
    expect(json.node.ttl).toBeGreaterThan(90);
  });

  it('kvctl: put --swap-with-value / --swap-with-index compare and swap (else 101)', async () => {
    await ok('put', '/keys/cas', 'a');
    const wrong = await run('put', '/keys/cas', 'b', '--swap-with-value', 'zzz');
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('101: Compare failed');
    await ok('put', '/keys/cas', 'b', '--swap-with-value', 'a');
    const index = JSON.parse((await run('-o', 'json', 'get', '/keys/cas')).stdout).node
      .modifiedIndex;
    await ok('put', '/keys/cas', 'c', '--swap-with-index', String(index));
    expect((await run('get', '/keys/cas')).stdout).toBe('c\n');
  });

  it('kvctl: mkdir, mk --in-order and ls (-r, -p, --sort) list keys as etcdctl does', async () => {
    await ok('mkdir', '/tree');
    await ok('put', '/tree/b', '2');
    await ok('put', '/tree/a', '1');
    await ok('mkdir', '/tree/sub');
    await ok('put', '/tree/sub/c', '3');
    const flat = await run('ls', '--sort', '/tree');
    expect(flat.stdout).toBe('/tree/a\n/tree/b\n/tree/sub\n');
    const deep = await run('ls', '-r', '-p', '--sort', '/tree');
    expect(deep.stdout).toBe('/tree/a\n/tree/b\n/tree/sub/\n/tree/sub/c\n');
    const first = await run('mk', '--in-order', '/queue', 'job-1');
    const second = await run('mk', '--in-order', '/queue', 'job-2');
    expect([first.stdout, second.stdout]).toEqual(['job-1\n', 'job-2\n']);
    const queue = JSON.parse((await run('-o', 'json', 'ls', '--sort', '/queue')).stdout);
    const values = (queue.node.nodes as { value: string }[]).map((n) => n.value);
    expect(values).toEqual(['job-1', 'job-2']);
    const dirGet = await run('get', '/tree');
    expect(dirGet).toMatchObject({ code: 1, stderr: 'Error: /tree: is a directory\n' });
  });

  it('kvctl: rm prints the old value; --with-value guards it; --dir, -r remove dirs', async () => {
    await ok('put', '/rm/a', 'old');
    const guarded = await run('rm', '/rm/a', '--with-value', 'other');
    expect(guarded.code).toBe(4);
    expect(guarded.stderr).toContain('101: Compare failed');
    expect(await run('rm', '/rm/a', '--with-value', 'old')).toMatchObject({
      code: 0,
      stdout: 'PrevNode.Value: old\n',
    });
    await ok('put', '/rm/dir/x', '1');
    const notEmpty = await run('rm', '--dir', '/rm/dir');
    expect(notEmpty.code).toBe(4);
    expect(notEmpty.stderr).toContain('108: Directory not empty');
    await ok('rm', '-r', '/rm/dir');
    expect((await run('get', '/rm/dir/x')).code).toBe(4);
  });

  it('kvctl: usage errors exit 1: unknown command, missing argument, bad flag values', async () => {
    for (const args of [
      ['bogus'],
      ['get'],
      ['-o', 'yaml', 'get', '/a'],
      ['--timeout', 'soon', 'get', '/a'],
      ['put', '/a', 'b', '--ttl', '-3'],
      ['--endpoints', 'ftp://x', 'get', '/a'],
    ]) {
      const result = await run(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).not.toBe('');
    }
  });

  it('kvctl: no reachable endpoint exits 1 and names every endpoint tried', async () => {
    const result = await kvctl([
      '--endpoints',
      'http://127.0.0.1:32390,127.0.0.1:32391',
      'get',
      '/a',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no endpoint answered');
    expect(result.stderr).toContain('http://127.0.0.1:32390: connection refused');
    expect(result.stderr).toContain('http://127.0.0.1:32391: connection refused');
  });

  it('kvctl: --endpoints overrides KVCTL_ENDPOINTS; a dead first endpoint fails over', async () => {
    const dead = 'http://127.0.0.1:32392';
    const live = cluster.members[1]!.clientUrl;
    const viaFlag = await kvctl(['--endpoints', `${dead},${live}`, 'put', '/keys/flag', 'f'], {
      endpoints: 'http://127.0.0.1:32393',
    });
    expect(viaFlag).toMatchObject({ code: 0, stdout: 'f\n' });
    const viaEnv = await kvctl(['get', '/keys/flag'], { endpoints: `${dead},${live}` });
    expect(viaEnv).toMatchObject({ code: 0, stdout: 'f\n' });
  });

  it('kvctl: --help on every command exits 0 and shows an example', async () => {
    const commands = [
      [],
      ['get'],
      ['put'],
      ['set'],
      ['mk'],
      ['mkdir'],
      ['update'],
      ['rm'],
      ['ls'],
      ['watch'],
      ['exec-watch'],
      ['member'],
      ['member', 'list'],
      ['member', 'add'],
      ['member', 'remove'],
      ['member', 'update'],
      ['endpoint'],
      ['endpoint', 'health'],
      ['endpoint', 'status'],
      ['cluster-health'],
      ['lock'],
      ['elect'],
      ['verify'],
      ['snapshot'],
      ['snapshot', 'save'],
    ];
    const results = await Promise.all(commands.map((c) => run(...c, '--help')));
    results.forEach((result, i) => {
      const name = commands[i]!.join(' ') || '(program)';
      expect(result.code, name).toBe(0);
      expect(result.stdout, name).toMatch(/Examples:\n {2}kvctl /);
    });
  });
});

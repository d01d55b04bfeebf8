// kvctl watch and exec-watch against a live 3-member kvd cluster: a watch receives the next
// change, -r --forever prints every change under a directory in order until SIGTERM,
// --after-index replays a past change, and exec-watch runs a command per change with
// etcdctl's ETCD_WATCH_* variables.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster, putKey, sleep } from '../support/process-cluster.js';
import { endpointsOf, kvctl, KvctlProcess, stopAllKvctl } from './kvctl-process.js';

const cluster = new ProcessCluster({ size: 3, basePort: 32010 });
const scratch = mkdtempSync(join(tmpdir(), 'kvctl-watch-'));
let endpoints = '';

beforeAll(async () => {
  cluster.startAll();
  await cluster.waitForLeader(15_000);
  endpoints = endpointsOf(cluster.members);
}, 30_000);

afterAll(async () => {
  await stopAllKvctl();
  await cluster.stopAll();
  rmSync(scratch, { recursive: true, force: true });
});

/** The store's current index (X-Etcd-Index), read at a member. */
async function etcdIndex(): Promise<number> {
  const response = await fetch(`${cluster.members[0]!.clientUrl}/v2/keys/`);
  await response.arrayBuffer();
  return Number(response.headers.get('x-etcd-index'));
}

describe('kvctl watch', () => {
  it('watch: prints the next value written to the key and exits 0', async () => {
    const watch = new KvctlProcess(['watch', '/w/one'], { endpoints });
    // The watch starts "from now" once it has asked a member: keep writing until it reports.
    const written: string[] = [];
    for (let i = 0; i < 100 && watch.stdout === ''; i++) {
      const value = `v${i}`;
      await putKey(cluster.members[1]!.clientUrl, '/w/one', value);
      written.push(value);
      await sleep(100);
    }
    const result = await watch.result(10_000);
    expect(result.code).toBe(0);
    expect(written).toContain(result.stdout.trim());
    expect(result.stdout.split('\n')).toHaveLength(2);
  });

  it('watch -r --forever: prints every change under the dir in order until SIGTERM', async () => {
    const after = await etcdIndex();
    const watch = new KvctlProcess(
      ['watch', '-r', '--forever', '--after-index', String(after), '/w/dir'],
      { endpoints },
    );
    await putKey(cluster.members[0]!.clientUrl, '/w/dir/a', '1');
    await putKey(cluster.members[2]!.clientUrl, '/w/dir/b', '2');
    await fetch(`${cluster.members[1]!.clientUrl}/v2/keys/w/dir/a`, { method: 'DELETE' });
    await putKey(cluster.members[0]!.clientUrl, '/w/elsewhere', 'not printed');
    await watch.waitForStdout((out) => out.includes('[delete]'));
    watch.signal('SIGTERM');
    const result = await watch.result();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      '[set] /w/dir/a\n1\n[set] /w/dir/b\n2\n[delete] /w/dir/a\nPrevNode.Value: 1\n',
    );
  });

  it('watch --after-index: replays a past change as one JSON line', async () => {
    const before = await etcdIndex();
    await putKey(cluster.members[2]!.clientUrl, '/w/past', 'then');
    await putKey(cluster.members[2]!.clientUrl, '/w/past', 'now');
    const result = await kvctl(
      ['-o', 'json', 'watch', '--after-index', String(before), '/w/past'],
      { endpoints },
    );
    expect(result.code).toBe(0);
    const event = JSON.parse(result.stdout) as { action: string; node: { value: string } };
    expect(event.action).toBe('set');
    expect(event.node.value).toBe('then');
  });

  it('exec-watch: runs the command once per change with ETCD_WATCH_* set', async () => {
    const log = join(scratch, 'exec.log');
    const script =
      'require("fs").appendFileSync(process.argv[1], [' +
      '"ETCD_WATCH_ACTION","ETCD_WATCH_KEY","ETCD_WATCH_VALUE","ETCD_WATCH_MODIFIED_INDEX"]' +
      '.map((n) => process.env[n]).join(" ") + "\\n")';
    const after = await etcdIndex();
    const exec = new KvctlProcess(
      [
        'exec-watch',
        '--after-index',
        String(after),
        '--count',
        '2',
        '/w/exec',
        '--',
        process.execPath,
        '-e',
        script,
        log,
      ],
      { endpoints },
    );
    const first = await putKey(cluster.members[0]!.clientUrl, '/w/exec', 'alpha');
    const second = await putKey(cluster.members[1]!.clientUrl, '/w/exec', 'beta');
    const result = await exec.result();
    expect(result.code, result.stderr).toBe(0);
    const indexOf = (answer: typeof first) =>
      (answer.body['node'] as { modifiedIndex: number }).modifiedIndex;
    expect(readFileSync(log, 'utf8')).toBe(
      `set /w/exec alpha ${indexOf(first)}\nset /w/exec beta ${indexOf(second)}\n`,
    );
  });

  it('exec-watch: without a command it is a usage error (exit 1)', async () => {
    const result = await kvctl(['exec-watch', '/w/exec'], { endpoints });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("missing required argument 'command'");
  });
});

// kvctl snapshot save -> snapshot restore -> start a member from the restored data dir: the
// new member serves the same keys, directories and values; restore refuses a non-empty dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, kvdBin, ProcessCluster, putKey, sleep } from '../support/process-cluster.js';
import { endpointsOf, kvctl, stopAllKvctl } from './kvctl-process.js';

const cluster = new ProcessCluster({ size: 3, basePort: 34000, electionMs: 1000, heartbeatMs: 100 });
const scratch = mkdtempSync(join(tmpdir(), 'kvd-restore-'));
let restored: ChildProcess | null = null;

beforeAll(async () => {
  cluster.startAll();
  await cluster.waitForLeader(30_000);
}, 60_000);
afterAll(async () => {
  restored?.kill('SIGKILL');
  await stopAllKvctl();
  await cluster.stopAll();
  rmSync(scratch, { recursive: true, force: true });
});

type Node = { key?: string; value?: string; dir?: boolean; nodes?: Node[] };
function flatten(node: Node, out = new Map<string, string>()): Map<string, string> {
  for (const child of node.nodes ?? []) {
    out.set(child.key!, child.dir ? '<dir>' : child.value ?? '');
    if (child.dir) flatten(child, out);
  }
  return out;
}

describe('kvctl snapshot save and restore', () => {
  it('snapshot: save, restore into a new data dir, start a member from it: same keys', async () => {
    const leader = cluster.members[0]!;
    for (let i = 0; i < 30; i++) expect((await putKey(leader.clientUrl, `/app/k${i}`, `v${i}`)).status).toBe(201);
    expect((await putKey(leader.clientUrl, '/app/nested/deep', 'down here')).status).toBe(201);
    const file = join(scratch, 'backup.json');
    const saved = await kvctl(['snapshot', 'save', file], { endpoints: endpointsOf(cluster.members) });
    expect(saved.code, saved.stderr).toBe(0);
    const original = flatten((await getJson(`${leader.clientUrl}/v2/keys/?recursive=true&quorum=true`))['node'] as Node);

    const dataDir = join(scratch, 'restored');
    const peer = 'http://127.0.0.1:34301';
    const restore = await kvctl(['snapshot', 'restore', file, '--data-dir', dataDir, '--name', 'r1',
      '--initial-cluster', `r1=${peer}`]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/Restored 3\d keys and directories/);

    restored = spawn(process.execPath, [kvdBin, '--name', 'r1', '--data-dir', dataDir,
      '--listen-client-urls', 'http://127.0.0.1:34300', '--listen-peer-urls', peer,
      '--initial-cluster', `r1=${peer}`, '--log-format', 'json'], { stdio: 'ignore' });
    let copy = new Map<string, string>();
    for (let i = 0; i < 100 && copy.size !== original.size; i++) {
      const got = await getJson('http://127.0.0.1:34300/v2/keys/?recursive=true').catch(() => null);
      if (got?.['node']) copy = flatten(got['node'] as Node);
      else await sleep(200);
    }
    expect(copy).toEqual(original);
    expect((await putKey('http://127.0.0.1:34300', '/app/after', 'writable')).status).toBe(201);

    const again = await kvctl(['snapshot', 'restore', file, '--data-dir', dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty/);
  }, 90_000);
});

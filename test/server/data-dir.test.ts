// kvd refuses a data dir it cannot trust, with a message naming the problem, and never
// rewrites it: another member's data dir, a damaged log, bad flags (checked before any write).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterAll, describe, expect, it } from 'vitest';
import { kvdBin, ProcessCluster } from '../support/process-cluster.js';

const root = mkdtempSync(join(tmpdir(), 'kvd-datadir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runKvd(args: string[], timeoutMs = 10_000): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [kvdBin, '--log-format', 'pretty', ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Every key and value, as text: what "untouched" means (LevelDB may reorganise its files). */
async function dump(path: string): Promise<string[]> {
  const db = new Level<string, Uint8Array>(path, { valueEncoding: 'view' });
  const out: string[] = [];
  for await (const [key, value] of db.iterator()) out.push(`${key}=${Buffer.from(value).toString('hex')}`);
  await db.close();
  return out;
}

async function makeDataDir(name: string, port: number): Promise<string> {
  const cluster = new ProcessCluster({ size: 1, basePort: port });
  const dataDir = join(root, name);
  Object.assign(cluster.members[0]!, { dataDir, name });
  cluster.startAll();
  await cluster.waitForLeader(15_000);
  await cluster.kill(cluster.members[0]!, 'SIGTERM');
  return dataDir;
}

describe('data dir safety', () => {
  it('data dir: bad flags fail with a one-line error naming the flag, before anything is written', () => {
    const dataDir = join(root, 'never-created');
    const cases: [string[], RegExp][] = [
      [['--initial-cluster-state', 'sideways'], /--initial-cluster-state/],
      [['--heartbeat-interval', 'abc'], /--heartbeat-interval/],
      [['--election-timeout', '100', '--heartbeat-interval', '100'], /--election-timeout/],
      [['--listen-client-urls', 'ftp://x:1'], /--listen-client-urls/],
      [['--initial-cluster', 'other=http://127.0.0.1:1'], /--initial-cluster/],
    ];
    for (const [args, pattern] of cases) {
      const { status, output } = runKvd(['--data-dir', dataDir, ...args]);
      expect(status, output).toBe(1);
      expect(output).toMatch(pattern);
      expect(output.trim().split('\n')).toHaveLength(1);
      expect(existsSync(dataDir)).toBe(false);
    }
  });

  it('data dir: another member\'s data dir is refused and left untouched', async () => {
    const dataDir = await makeDataDir('alpha', 31500);
    const before = await dump(join(dataDir, 'db'));
    const { status, output } = runKvd(['--name', 'beta', '--data-dir', dataDir,
      '--listen-client-urls', 'http://127.0.0.1:31510', '--listen-peer-urls', 'http://127.0.0.1:31511']);
    expect(status).toBe(1);
    expect(output).toMatch(/belongs to member "alpha", not --name "beta"/);
    expect(await dump(join(dataDir, 'db'))).toEqual(before);
  }, 30_000);

  it('data dir: a damaged log is refused with a message naming the problem', async () => {
    const dataDir = await makeDataDir('gamma', 31520);
    const db = new Level<string, string>(join(dataDir, 'db'));
    await db.del('r/log/' + (1).toString(16).padStart(16, '0'));
    await db.close();
    const { status, output } = runKvd(['--name', 'gamma', '--data-dir', dataDir,
      '--listen-client-urls', 'http://127.0.0.1:31530', '--listen-peer-urls', 'http://127.0.0.1:31531']);
    expect(status).toBe(1);
    expect(output, output).toMatch(/is damaged: log entry .* expected 1/);
  }, 30_000);
});

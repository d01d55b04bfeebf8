// kvctl lock and elect against a live 3-member kvd cluster. Lock contenders run a command that
// logs its start and end and takes an exclusive marker file: runs must never overlap, also
// while the leader member is killed mid-run; each kvctl exits with its command's code and
// leaves no queue key behind. Elect prints the leader as it changes and hands over on resign.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getKey, ProcessCluster, sleep } from '../support/process-cluster.js';
import { endpointsOf, KvctlProcess, stopAllKvctl } from './kvctl-process.js';

const cluster = new ProcessCluster({ size: 3, basePort: 32030 });
const scratch = mkdtempSync(join(tmpdir(), 'kvctl-lock-'));

beforeAll(async () => {
  cluster.startAll();
  await cluster.waitForLeader(15_000);
}, 30_000);

afterAll(async () => {
  await stopAllKvctl();
  await cluster.stopAll();
  rmSync(scratch, { recursive: true, force: true });
});

/** Logs "start ID" / "end ID"; "VIOLATION ID" if another run holds the marker file. */
const holdScript = `
const fs = require('fs');
const [log, id, holdMs, code] = process.argv.slice(1);
try { fs.closeSync(fs.openSync(log + '.held', 'wx')); }
catch { fs.appendFileSync(log, 'VIOLATION ' + id + '\\n'); }
fs.appendFileSync(log, 'start ' + id + '\\n');
setTimeout(() => {
  fs.appendFileSync(log, 'end ' + id + '\\n');
  fs.rmSync(log + '.held', { force: true });
  process.exit(Number(code));
}, Number(holdMs));
`;

/** Contender `i` prefers member `i` (endpoints rotated), so the contenders spread out. */
function contender(
  lock: string,
  log: string,
  id: string,
  i: number,
  holdMs: number,
  code = 0,
): KvctlProcess {
  const members = cluster.members.map((_, k) => cluster.members[(k + i) % cluster.members.length]!);
  return new KvctlProcess(
    [
      'lock',
      '--ttl',
      '5',
      lock,
      '--',
      process.execPath,
      '-e',
      holdScript,
      log,
      id,
      String(holdMs),
      String(code),
    ],
    { endpoints: endpointsOf(members) },
  );
}

/** The log is start/end pairs of one id each, never interleaved; returns the ids in order. */
function runsInOrder(log: string): string[] {
  const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
  expect(lines.filter((line) => line.startsWith('VIOLATION'))).toEqual([]);
  const ids: string[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const id = lines[i]!.replace(/^start /, '');
    expect(lines[i], `line ${i}`).toBe(`start ${id}`);
    expect(lines[i + 1], `line ${i + 1}`).toBe(`end ${id}`);
    ids.push(id);
  }
  return ids;
}

async function queueKeys(name: string): Promise<unknown[]> {
  const answer = await getKey(
    cluster.members[0]!.clientUrl,
    `/_kvctl/locks/${name}`,
    '?quorum=true',
  );
  return (answer.body['node'] as { nodes?: unknown[] } | undefined)?.nodes ?? [];
}

describe('kvctl lock', () => {
  it('lock: two contenders never overlap, exit with their codes, leave no key', async () => {
    const log = join(scratch, 'two.log');
    const a = contender('two', log, 'a', 0, 1000, 3);
    const b = contender('two', log, 'b', 1, 1000, 5);
    const [ra, rb] = await Promise.all([a.result(30_000), b.result(30_000)]);
    expect([ra.code, rb.code], ra.stderr + rb.stderr).toEqual([3, 5]);
    expect(runsInOrder(log).sort()).toEqual(['a', 'b']);
    expect(await queueKeys('two')).toEqual([]);
  }, 40_000);

  it('lock: mutual exclusion holds while the leader member is killed mid-run', async () => {
    const log = join(scratch, 'kill.log');
    const runs = ['a', 'b', 'c'].map((id, i) => contender('kill', log, id, i, 1500));
    await sleep(200);
    const deadline = Date.now() + 15_000;
    while (!readFileSync(log, { encoding: 'utf8', flag: 'a+' }).includes('start')) {
      expect(Date.now(), 'no contender got the lock').toBeLessThan(deadline);
      await sleep(50);
    }
    const leader = await cluster.waitForLeader();
    await cluster.kill(leader);
    const results = await Promise.all(runs.map((r) => r.result(60_000)));
    expect(
      results.map((r) => r.code),
      results.map((r) => r.stderr).join('\n'),
    ).toEqual([0, 0, 0]);
    expect(runsInOrder(log).sort()).toEqual(['a', 'b', 'c']);
    cluster.start(leader);
    await cluster.waitForHealthy(leader);
    expect(await queueKeys('kill')).toEqual([]);
  }, 90_000);

  it('lock: a waiting contender stopped with SIGTERM exits 143 and leaves the queue', async () => {
    const log = join(scratch, 'term.log');
    const holder = contender('term', log, 'holder', 0, 3000);
    const deadline = Date.now() + 15_000;
    while (!readFileSync(log, { encoding: 'utf8', flag: 'a+' }).includes('start holder')) {
      expect(Date.now(), 'the holder never got the lock').toBeLessThan(deadline);
      await sleep(50);
    }
    const waiter = contender('term', log, 'waiter', 1, 100);
    const waitDeadline = Date.now() + 10_000;
    while ((await queueKeys('term')).length < 2) {
      expect(Date.now(), 'the waiter never queued').toBeLessThan(waitDeadline);
      await sleep(50);
    }
    waiter.signal('SIGTERM');
    expect((await waiter.result()).code).toBe(143);
    expect(await queueKeys('term')).toHaveLength(1);
    expect((await holder.result()).code).toBe(0);
    expect(runsInOrder(log)).toEqual(['holder']);
  }, 40_000);
});

describe('kvctl elect', () => {
  it('elect: candidates print the leader; on resign the next candidate leads', async () => {
    const endpoints = endpointsOf(cluster.members);
    const alpha = new KvctlProcess(['elect', '--ttl', '5', 'sched', 'alpha'], { endpoints });
    await alpha.waitForStdout((out) => out === 'alpha\n');
    const beta = new KvctlProcess(['elect', '--ttl', '5', 'sched', 'beta'], { endpoints });
    const observer = new KvctlProcess(['-o', 'json', 'elect', '--listen', 'sched'], { endpoints });
    await beta.waitForStdout((out) => out === 'alpha\n');
    await observer.waitForStdout((out) => out.includes('"alpha"'));
    alpha.signal('SIGTERM');
    expect((await alpha.result()).code).toBe(0);
    await beta.waitForStdout((out) => out === 'alpha\nbeta\n');
    await observer.waitForStdout((out) => out.includes('"beta"'));
    beta.signal('SIGTERM');
    observer.signal('SIGTERM');
    expect((await beta.result()).code).toBe(0);
    const lines = (await observer.result()).stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l: { leader: string }) => l.leader)).toEqual(['alpha', 'beta']);
    expect(lines[0]).toMatchObject({ election: 'sched', self: false });
  }, 40_000);
});

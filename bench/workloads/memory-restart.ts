// W6 and W7 on a fresh cluster: W6 loads N keys (256-byte values) through the leader and reads
// each member's resident memory (VmRSS) before and after; W7 SIGKILLs a follower holding those
// keys, restarts it on the same data dir and times until it answers /health 200 and a key read.
import type { BenchCluster } from '../clusters.js';
import { request, rssMiB, sleep } from '../util.js';
import { loadKeys } from './http-load.js';

export const loadPrefix = '/load/k';

export interface MemoryResult {
  readonly keys: number;
  readonly loadSeconds: number;
  readonly loadFailed: number;
  /** Member names, in the order of the RSS arrays; the leader's name is marked with "*". */
  readonly members: string[];
  readonly baselineMiB: number[];
  readonly loadedMiB: number[];
}

export async function runMemory(cluster: BenchCluster, keys: number, timeoutMs: number): Promise<MemoryResult> {
  const leader = await cluster.leader();
  const rss = (): number[] => cluster.members.map((m) => (m.child?.pid ? rssMiB(m.child.pid) ?? NaN : NaN));
  const baselineMiB = rss();
  const load = await loadKeys(leader.clientUrl, loadPrefix, keys, 256, timeoutMs);
  await sleep(3000); // let followers apply the tail and the allocators settle
  return {
    keys, loadSeconds: load.seconds, loadFailed: load.failed,
    members: cluster.members.map((m) => (m === leader ? `${m.name}*` : m.name)),
    baselineMiB, loadedMiB: rss(),
  };
}

export interface RestartResult {
  readonly member: string;
  /** From spawning the killed member again to its first /health 200. */
  readonly healthMs: number;
  /** From spawning to its first successful local read of a loaded key. */
  readonly readableMs: number;
}

export async function runRestart(cluster: BenchCluster, keys: number, timeoutMs: number): Promise<RestartResult> {
  await cluster.waitReady(timeoutMs);
  const member = await cluster.follower();
  const key = `${loadPrefix}${keys - 1}`;
  const before = await request(`${member.clientUrl}/v2/keys${key}`, { timeoutMs: 2000 });
  if (before.status !== 200) throw new Error(`${cluster.kind} ${member.name}: ${key} not readable before the kill (${before.status})`);
  await cluster.kill(member, 'SIGKILL');
  const t0 = performance.now();
  cluster.startMember(member);
  const deadline = Date.now() + timeoutMs;
  let healthMs = NaN;
  let readableMs = NaN;
  while (Date.now() < deadline && (Number.isNaN(healthMs) || Number.isNaN(readableMs))) {
    const child = member.child;
    if (child !== null && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${cluster.kind} ${member.name} exited during restart (log: ${member.logPath})`);
    }
    const [health, read] = await Promise.all([
      Number.isNaN(healthMs) ? request(`${member.clientUrl}/health`, { timeoutMs: 1000 }).catch(() => null) : null,
      Number.isNaN(readableMs) ? request(`${member.clientUrl}/v2/keys${key}`, { timeoutMs: 1000 }).catch(() => null) : null,
    ]);
    const elapsed = performance.now() - t0;
    if (health?.status === 200) healthMs = elapsed;
    if (read?.status === 200 && read.body.includes('"value"')) readableMs = elapsed;
    if (Number.isNaN(healthMs) || Number.isNaN(readableMs)) await sleep(10);
  }
  if (Number.isNaN(healthMs) || Number.isNaN(readableMs)) {
    throw new Error(`${cluster.kind} ${member.name} not serving within ${timeoutMs} ms of a restart (log: ${member.logPath})`);
  }
  return { member: member.name, healthMs, readableMs };
}

// The watch workloads W5 (1,000 long-poll watchers), W5b (100) and W5s (1,000 stream=true):
// watchers on prefix /w spread over the members (bench/workloads/watch-client.ts, a forked child)
// while this process writes 50 PUTs/s to the leader; reports deliveries/s, delivery latency
// p50/p99/p999, misses, the watcher client's and the members' CPU. W5s is "n/a" without streams.
import { fork } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import type { BenchCluster, Member } from '../clusters.js';
import { CpuMeter, loadAverage, percentile, repoRoot, request, sleep, stopChild, track, value256, withTimeout } from '../util.js';
import type { ClientMessage, ClientResult, StartCommand } from './watch-client.js';

export interface WatchWorkload {
  readonly id: string;
  readonly title: string;
  readonly watchers: number;
  readonly stream: boolean;
}

export const watchWorkloads: readonly WatchWorkload[] = [
  { id: 'W5', title: '1,000 long-poll watchers, 50 writes/s', watchers: 1000, stream: false },
  { id: 'W5b', title: '100 long-poll watchers, 50 writes/s', watchers: 100, stream: false },
  { id: 'W5s', title: '1,000 stream=true watchers, 50 writes/s', watchers: 1000, stream: true },
];

export const writesPerSecond = 50;
const watchPath = '/w';

export interface WatchResult {
  /** Set when the cluster does not serve this workload (e.g. no stream=true): no numbers. */
  readonly na?: string;
  readonly connected: number;
  readonly deliveriesPerSec: number;
  /** writes/s achieved x watchers: what a loss-free, lag-free server would deliver. */
  readonly idealPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** Events never delivered by the end of the grace period (writes x watchers - deliveries). */
  readonly misses: number;
  readonly missRate: number;
  readonly cleared: number;
  readonly errors: number;
  readonly streamEnds: number;
  readonly writes: number;
  /** Writes that failed, plus writes skipped because 64 were already in flight. */
  readonly writeErrors: number;
  readonly writesPerSec: number;
  /** Latency of the writer's PUTs (sent to acknowledged). */
  readonly writeP50Ms: number;
  readonly writeP99Ms: number;
  /** The members' CPU microseconds per delivered event. */
  readonly serverUsPerDelivery: number;
  readonly genCores: number;
  readonly genShare: number;
  readonly serverCores: number;
  readonly loadAvg: string;
}

function notApplicable(reason: string): WatchResult {
  return {
    na: reason, connected: 0, deliveriesPerSec: NaN, idealPerSec: NaN, p50Ms: NaN, p99Ms: NaN, p999Ms: NaN, maxMs: NaN,
    misses: NaN, missRate: NaN, cleared: 0, errors: 0, streamEnds: 0, writes: 0, writeErrors: 0,
    writesPerSec: NaN, writeP50Ms: NaN, writeP99Ms: NaN, serverUsPerDelivery: NaN,
    genCores: NaN, genShare: NaN, serverCores: NaN, loadAvg: loadAverage(),
  };
}

async function put(url: string, key: string, value: string, agent?: http.Agent): Promise<number> {
  const answer = await request(`${url}/v2/keys${key}`, { method: 'PUT', form: { value }, timeoutMs: 5000, agent });
  if (answer.status !== 200 && answer.status !== 201) throw new Error(`PUT ${key}: ${answer.status} ${answer.body}`);
  return Number((JSON.parse(answer.body) as { node: { modifiedIndex: number } }).node.modifiedIndex);
}

/**
 * Does `member` serve stream=true watches properly: one response carrying two events written
 * after it opened? Returns null when it does, or what went wrong.
 */
export async function probeStream(member: Member, leader: Member): Promise<string | null> {
  const lines: string[] = [];
  let status = 0;
  const req = http.get(`${member.clientUrl}/v2/keys${watchPath}/probe?wait=true&stream=true`, (res) => {
    status = res.statusCode ?? 0;
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts.filter((l) => l.trim() !== ''));
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  try {
    await sleep(300);
    await put(leader.clientUrl, `${watchPath}/probe`, 'p1');
    await put(leader.clientUrl, `${watchPath}/probe`, 'p2');
    const deadline = Date.now() + 3000;
    while (lines.length < 2 && Date.now() < deadline) await sleep(20);
  } finally {
    req.destroy();
  }
  if (status !== 200) return `stream=true answered status ${status}`;
  if (lines.length < 2) return `stream=true delivered ${lines.length} of 2 events in 3 s`;
  try {
    const values = lines.map((l) => (JSON.parse(l) as { node?: { value?: string } }).node?.value);
    if (values[0] !== 'p1' || values[1] !== 'p2') return `stream=true delivered ${JSON.stringify(values)}`;
  } catch {
    return `stream=true sent non-JSON: ${lines[0]!.slice(0, 80)}`;
  }
  return null;
}

export async function runWatchWorkload(
  workload: WatchWorkload, cluster: BenchCluster, durationS: number, graceS: number,
): Promise<WatchResult> {
  const leader = await cluster.leader();
  if (workload.stream) {
    const follower = await cluster.follower();
    const problem = await probeStream(follower, leader);
    if (problem !== null) return notApplicable(problem);
  }
  const startIndex = (await put(leader.clientUrl, `${watchPath}/init`, 'init')) + 1;
  const child = track(fork(join(repoRoot, 'dist/bench/workloads/watch-client.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const writerAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  try {
    const waiters = new Map<string, (message: ClientMessage) => void>();
    let result: ClientResult | null = null;
    child.on('message', (message: ClientMessage) => {
      if (message.type === 'result') result = message.result;
      waiters.get(message.type)?.(message);
    });
    const next = (type: ClientMessage['type'], ms: number): Promise<ClientMessage> =>
      withTimeout(new Promise<ClientMessage>((done) => waiters.set(type, done)), ms, `watch client "${type}"`);
    const start: StartCommand = {
      cmd: 'start', urls: cluster.members.map((m) => m.clientUrl), watchers: workload.watchers,
      stream: workload.stream, path: watchPath, waitIndex: startIndex,
    };
    const ready = next('ready', 30_000).catch(() => null);
    child.send(start);
    await ready; // on a timeout, go on with the watchers that did connect (the result says how many)
    await sleep(500);

    const meter = new CpuMeter(cluster.pids());
    const genMeter = new CpuMeter([child.pid!]);
    const t0 = performance.now();
    let writes = 0;
    let writeErrors = 0;
    const writeLatencies: number[] = [];
    const inflight = new Set<Promise<void>>();
    for (let i = 0; ; i++) {
      const due = t0 + (i * 1000) / writesPerSecond;
      if (due - t0 >= durationS * 1000) break;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (inflight.size >= 64) { writeErrors++; continue; } // the server is not keeping up: skip, count
      const sent = performance.timeOrigin + performance.now();
      const p: Promise<void> = put(leader.clientUrl, `${watchPath}/k${i % 100}`, value256(`t${sent.toFixed(3)}|`), writerAgent)
        .then(() => {
          writes++;
          writeLatencies.push(performance.timeOrigin + performance.now() - sent);
        }, () => { writeErrors++; })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    const t1 = performance.now();
    const marked = next('marked', 30_000);
    child.send({ cmd: 'mark', until: performance.timeOrigin + t1 });
    const deliveredAtMark = (await marked as { deliveries: number }).deliveries;
    await withTimeout(Promise.all(inflight), 10_000, 'in-flight watch writes').catch(() => undefined);
    await sleep(graceS * 1000);
    const cpu = meter.read();
    const gen = genMeter.read();
    const done = next('result', 30_000);
    child.send({ cmd: 'stop' });
    await done;
    const r = result as ClientResult | null;
    if (r === null) throw new Error('watch client sent no result');
    const windowS = (t1 - t0) / 1000;
    const expected = writes * workload.watchers;
    const misses = Math.max(0, expected - r.deliveries);
    return {
      connected: r.connected,
      deliveriesPerSec: deliveredAtMark / windowS,
      idealPerSec: (writes / windowS) * workload.watchers,
      p50Ms: r.p50Ms, p99Ms: r.p99Ms, p999Ms: r.p999Ms, maxMs: r.maxMs,
      misses, missRate: expected > 0 ? misses / expected : NaN,
      cleared: r.cleared, errors: r.errors, streamEnds: r.streamEnds,
      writes, writeErrors,
      writesPerSec: writes / windowS,
      writeP50Ms: percentile(writeLatencies.sort((a, b) => a - b), 50),
      writeP99Ms: percentile(writeLatencies, 99),
      serverUsPerDelivery: r.deliveries > 0 ? (cpu.pidsCpuS / r.deliveries) * 1e6 : NaN,
      genCores: gen.pidsCpuS / gen.wallS,
      genShare: gen.machineBusyS > 0 ? Math.min(1, gen.pidsCpuS / gen.machineBusyS) : NaN,
      serverCores: cpu.pidsCpuS / cpu.wallS,
      loadAvg: loadAverage(),
    };
  } finally {
    writerAgent.destroy();
    await stopChild(child, 'SIGKILL', 1000);
  }
}

// The closed-loop HTTP workloads W1-W4 (writers and readers through the v2 keys API), driven by
// wrk with bench/wrk/*.lua, plus the Node preloader that fills the key space. Measures ops/s,
// latency percentiles, errors, wrk's CPU (from its own /proc/self/stat) and the members' CPU.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { clkTck, CpuMeter, loadAverage, repoRoot, request, stopChild, track, value256 } from '../util.js';

export interface HttpWorkload {
  readonly id: string;
  readonly title: string;
  readonly script: 'put.lua' | 'get.lua';
  readonly threads: number;
  readonly connections: number;
  readonly query?: string;
}

export const httpWorkloads: readonly HttpWorkload[] = [
  { id: 'W1', title: '1 client, sequential PUTs', script: 'put.lua', threads: 1, connections: 1 },
  { id: 'W2', title: '64 concurrent writers', script: 'put.lua', threads: 2, connections: 64 },
  { id: 'W2b', title: '256 concurrent writers', script: 'put.lua', threads: 2, connections: 256 },
  { id: 'W3', title: '64 clients, GET quorum=true', script: 'get.lua', threads: 2, connections: 64, query: '?quorum=true' },
  { id: 'W4', title: '64 clients, plain GET', script: 'get.lua', threads: 2, connections: 64, query: '' },
];

export interface HttpResult {
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly requests: number;
  readonly errors: number;
  /** Non-zero error counters, e.g. "status 3, timeout 1". */
  readonly errorDetail: string;
  /** wrk's CPU in cores (CPU seconds / wall seconds). */
  readonly genCores: number;
  /** wrk's CPU as a share of all CPU the machine spent meanwhile (0..1). */
  readonly genShare: number;
  /** The three members' CPU in cores. */
  readonly serverCores: number;
  /** The members' CPU microseconds per completed request. */
  readonly serverUsPerOp: number;
  readonly loadAvg: string;
}

interface WrkLine {
  requests: number; duration_us: number; connect: number; read: number; write: number;
  status: number; timeout: number; p50: number; p99: number; p999: number; max: number;
  utime: string; stime: string;
}

/** Runs one wrk workload against `baseUrl` for `durationS` seconds. */
export async function runHttpWorkload(
  workload: HttpWorkload, baseUrl: string, serverPids: readonly number[], durationS: number, keys: number,
): Promise<HttpResult> {
  const args = ['-t', String(workload.threads), '-c', String(workload.connections), '-d', `${durationS}s`,
    '--timeout', '5s', '-s', join(repoRoot, 'bench/wrk', workload.script), baseUrl, '--', String(keys)];
  if (workload.query !== undefined) args.push(workload.query);
  const meter = new CpuMeter(serverPids);
  const child = track(spawn('wrk', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KVD_BENCH_LUA_DIR: join(repoRoot, 'bench/wrk') },
  }));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const killer = setTimeout(() => void stopChild(child, 'SIGKILL'), (durationS + 30) * 1000);
  const code = await exited;
  clearTimeout(killer);
  const cpu = meter.read();
  const line = /BENCH_RESULT (\{.*\})/.exec(stdout)?.[1];
  if (line === undefined) throw new Error(`wrk exited ${code} without a result: ${stderr.trim() || stdout.trim()}`);
  const r = JSON.parse(line) as WrkLine;
  const seconds = r.duration_us / 1e6;
  const genCpuS = (Number(r.utime) + Number(r.stime)) / clkTck();
  const counters = { connect: r.connect, read: r.read, write: r.write, status: r.status, timeout: r.timeout };
  const errors = Object.values(counters).reduce((a, b) => a + b, 0);
  const ok = Math.max(0, r.requests - r.status);
  return {
    opsPerSec: ok / seconds,
    p50Ms: r.p50 / 1000,
    p99Ms: r.p99 / 1000,
    p999Ms: r.p999 / 1000,
    maxMs: r.max / 1000,
    requests: r.requests,
    errors,
    errorDetail: Object.entries(counters).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', '),
    genCores: genCpuS / seconds,
    genShare: cpu.machineBusyS > 0 ? Math.min(1, genCpuS / cpu.machineBusyS) : NaN,
    serverCores: cpu.pidsCpuS / cpu.wallS,
    serverUsPerOp: r.requests > 0 ? (cpu.pidsCpuS / r.requests) * 1e6 : NaN,
    loadAvg: loadAverage(),
  };
}

export interface LoadResult {
  readonly keys: number;
  readonly seconds: number;
  readonly failed: number;
}

/**
 * Writes keys `${prefix}0 .. ${prefix}${count-1}` (256-byte values) through one member with
 * `concurrency` keep-alive connections, retrying a failed PUT up to 3 times. Bounded by `timeoutMs`.
 */
export async function loadKeys(
  baseUrl: string, prefix: string, count: number, concurrency: number, timeoutMs: number,
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  const value = value256();
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      if (Date.now() > deadline) throw new Error(`loading ${count} keys took over ${timeoutMs} ms (at ${next})`);
      const i = next++;
      let done = false;
      for (let attempt = 0; attempt < 3 && !done; attempt++) {
        const answer = await request(`${baseUrl}/v2/keys${prefix}${i}`, {
          method: 'PUT', form: { value }, timeoutMs: 10_000, agent,
        }).catch(() => null);
        done = answer !== null && (answer.status === 200 || answer.status === 201);
      }
      if (!done) failed++;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { keys: count, seconds: (performance.now() - started) / 1000, failed };
}
